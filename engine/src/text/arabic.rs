//! Arabic script for the analysers: which characters belong inside a word, and the
//! normalisation applied to every token before stemming.
//!
//! Arabic text is written with optional marks — short vowels and other diacritics
//! (*tashkīl*) — and may be stretched with the *tatweel* (ـ); the same word is also
//! spelt with several forms of alef and hamza depending on the writer. A token is
//! normalised so that all these spellings give the same term:
//!
//! - diacritics (U+064B–U+065F, the superscript alef U+0670, the Quranic marks) and
//!   the tatweel (U+0640) are removed;
//! - alef with hamza above or below, with madda, and the wasla alef (أ إ آ ٱ) become a
//!   bare alef (ا); hamza on waw (ؤ) becomes waw (و) and hamza on yeh (ئ) and the alef
//!   maqsura (ى) become yeh (ي); the Persian yeh and keheh (ی ک) become Arabic yeh
//!   and kaf;
//! - Arabic-Indic and Eastern Arabic-Indic digits become ASCII digits.
//!
//! The teh marbuta (ة) is left alone: the stemmer removes it as a suffix. Tokens
//! without any character of the Arabic block are returned as they are, so the other
//! languages pay one byte scan per token.
//!
//! Stemming ([`stem`]) is *light* stemming in the manner of Larkey, Ballesteros and
//! Connell's "light10" (SIGIR 2002), the usual choice for Arabic retrieval: strip one
//! conjunction and one definite article (ال وال بال كال فال لل), then the common
//! suffixes (ها ان ات ون ين يه ية ه ة ي), never leaving fewer than two letters. The
//! Snowball Arabic stemmer that tantivy ships was tried first and left aside: it
//! keeps the article of short words (`الصحة` → `الصح` but `صحة` → `صح`) and never
//! strips a conjunction before an alef (`والصحة`, `وإعادة` keep their `و`), so the
//! same word in a list (`… والصحة`) and alone did not match.
//!
//! Splitting happens before normalisation, so the tokeniser must keep marks inside
//! a word ([`is_word_char`]): a mark is not alphanumeric for Unicode, and a plain
//! "split on anything not alphanumeric" would cut `مَدْرَسَة` into letters.

/// Whether `c` is an Arabic diacritic or the tatweel: kept inside words by the
/// tokeniser, removed by [`normalise`].
pub fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}'
        | '\u{0640}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}')
}

/// Whether `c` is part of a word: a letter or digit of any script, or an Arabic
/// mark.
#[inline]
pub fn is_word_char(c: char) -> bool {
    match c as u32 {
        0..0x80 => c.is_ascii_alphanumeric(),
        // Accented Latin letters are most of the other characters of the texts
        // analysed (and snippets scan a page of texts per search): answered without
        // Unicode's tables, the same (tested).
        0x80..0x180 => is_latin_alphanumeric(c as u32),
        _ => c.is_alphanumeric() || is_mark(c),
    }
}

/// `char::is_alphanumeric` for U+0080–U+017F (Latin-1 Supplement, Latin
/// Extended-A): ª, the superscripts ², ³ and ¹, µ, º, the fractions ¼ ½ ¾, and
/// every letter from U+00C0 on but × and ÷.
fn is_latin_alphanumeric(code: u32) -> bool {
    matches!(code, 0xAA | 0xB2 | 0xB3 | 0xB5 | 0xB9 | 0xBA | 0xBC..=0xBE | 0xC0..=0x17F)
        && code != 0xD7
        && code != 0xF7
}

/// Whether `text` has a character of the Arabic blocks (U+0600–U+06FF, UTF-8 lead
/// bytes 0xD8–0xDB).
fn has_arabic(text: &str) -> bool {
    text.bytes().any(|b| (0xD8..=0xDB).contains(&b))
}

/// The character `c` stands for once normalised; `None` when it is removed.
fn normalised_char(c: char) -> Option<char> {
    if is_mark(c) {
        return None;
    }
    Some(match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ؤ' => 'و',
        'ئ' | 'ى' | 'ی' => 'ي',
        'ک' => 'ك',
        '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
        '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
        other => other,
    })
}

/// The normalised form of `token`, or `None` when it is already normal (no Arabic
/// character to change).
pub fn normalise(token: &str) -> Option<String> {
    if !has_arabic(token) {
        return None;
    }
    let normal: String = token.chars().filter_map(normalised_char).collect();
    (normal != token).then_some(normal)
}

/// Definite articles, with the prepositions and conjunctions that fuse with them,
/// longest first.
const ARTICLES: [&str; 6] = ["وال", "بال", "كال", "فال", "لل", "ال"];
/// Suffixes stripped in this order, each at most once.
const SUFFIXES: [&str; 10] = ["ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي"];
/// Fewest letters a stem keeps.
const MIN_STEM: usize = 2;

/// The light stem of a normalised Arabic token, or `None` when nothing is stripped
/// (or the token is not Arabic).
pub fn stem(token: &str) -> Option<String> {
    if !has_arabic(token) {
        return None;
    }
    let letters = |s: &str| s.chars().count();
    let mut word = token;
    // A conjunction (و), when a word of three letters at least remains.
    if let Some(rest) = word.strip_prefix('و')
        && letters(rest) >= 3
        && !ARTICLES.iter().any(|a| word.starts_with(a))
    {
        word = rest;
    }
    if let Some(rest) = ARTICLES
        .iter()
        .find_map(|article| word.strip_prefix(article))
        .filter(|rest| letters(rest) >= MIN_STEM)
    {
        word = rest;
    }
    for suffix in SUFFIXES {
        if let Some(rest) = word.strip_suffix(suffix)
            && letters(rest) >= MIN_STEM
        {
            word = rest;
        }
    }
    (word != token).then(|| word.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> String {
        normalise(text).unwrap_or_else(|| text.to_owned())
    }

    #[test]
    fn diacritics_and_tatweel_are_removed() {
        assert_eq!(norm("مَدْرَسَةٌ"), "مدرسة");
        assert_eq!(norm("مـــدرســة"), "مدرسة");
        assert_eq!(norm("الرَّحْمٰن"), "الرحمن");
    }

    #[test]
    fn alef_and_hamza_forms_are_unified() {
        assert_eq!(norm("أمن"), "امن");
        assert_eq!(norm("إدارة"), "ادارة");
        assert_eq!(norm("آبار"), "ابار");
        assert_eq!(norm("ٱلماء"), "الماء");
        assert_eq!(norm("مؤسسة"), "موسسة");
        assert_eq!(norm("بيئة"), "بيية");
        assert_eq!(norm("مستشفى"), "مستشفي");
    }

    #[test]
    fn digits_become_ascii_and_latin_is_untouched() {
        assert_eq!(norm("٢٠٢٦"), "2026");
        assert_eq!(norm("۱۲"), "12");
        assert_eq!(normalise("école"), None);
        assert_eq!(normalise("مدرسة"), None);
    }

    fn stemmed(word: &str) -> String {
        stem(&norm(word)).unwrap_or_else(|| norm(word))
    }

    #[test]
    fn light_stemming_strips_articles_conjunctions_and_suffixes() {
        assert_eq!(stemmed("الصحة"), "صح");
        assert_eq!(stemmed("صحة"), "صح");
        assert_eq!(stemmed("والصحة"), "صح");
        assert_eq!(stemmed("للشرب"), "شرب");
        assert_eq!(stemmed("بالمدارس"), "مدارس");
        assert_eq!(stemmed("النفايات"), "نفا");
        assert_eq!(stemmed("وإعادة"), stemmed("إعادة"));
        assert_eq!(stemmed("المعلمين"), "معلم");
        assert_eq!(stemmed("المهاجرون"), stemmed("المهاجرين"));
        // Short words keep at least two letters.
        assert_eq!(stemmed("في"), "في");
        assert_eq!(stemmed("وهي"), "وه");
        assert_eq!(stem("école"), None);
    }

    #[test]
    fn latin_word_characters_are_unicodes_alphanumerics() {
        for c in (0..0x180).filter_map(char::from_u32) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn marks_are_word_characters() {
        assert!("مَدْرَسَة".chars().all(is_word_char));
        assert!(!is_word_char(' '));
        assert!(!is_word_char('،'));
        assert!(!is_word_char('-'));
    }
}
