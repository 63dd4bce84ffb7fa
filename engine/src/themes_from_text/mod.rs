//! Theme codes recognised in free text.
//!
//! Each theme of `themes.csv` has keywords in French, English, Spanish, Portuguese
//! and Arabic. A text is analysed with the analyser of its language (the same as the
//! search index, [`crate::text::analyse`]) and a keyword matches where its own stemmed
//! tokens occur as a contiguous sequence (`"eau potable"` matches `"l'eau potable"`,
//! `"forage"` matches `"forages"`). A theme's weight grows with the number of distinct
//! keywords found: 1 − 2^−k, so 0.5, 0.75, 0.875, … and never 1 (declared themes
//! keep the upper hand).
//!
//! [`effective_offer_themes`] and [`effective_request_themes`] merge the declared
//! codes of a fiche (weight 1, `inferred: false`) with those inferred from its texts
//! (`inferred: true`); a declared code is never duplicated by an inferred one.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::fiche::{Fiche, Intent};
use crate::reference::{LANGUAGES, Language, ThemeCode, Themes};
use crate::text;

#[cfg(test)]
mod tests;

/// A theme found in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InferredTheme {
    pub code: ThemeCode,
    /// In (0, 1): 1 − 2^−(distinct keywords matched).
    pub weight: f64,
    /// The keywords matched, as written in `themes.csv`, in table order.
    pub matched: Vec<String>,
}

/// A theme of a fiche's offer or request, declared or inferred from its text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectiveTheme {
    pub code: ThemeCode,
    /// 1 for a declared theme.
    pub weight: f64,
    pub inferred: bool,
    /// The keywords matched (empty for a declared theme).
    pub matched: Vec<String>,
}

struct Keyword {
    code: ThemeCode,
    text: &'static str,
    stems: Vec<String>,
}

/// Per language: the keywords, and for each first stem the keywords starting with it.
struct Matcher {
    keywords: Vec<Keyword>,
    by_first: FxHashMap<String, Vec<usize>>,
}

static MATCHERS: LazyLock<[Matcher; LANGUAGES]> = LazyLock::new(|| Language::ALL.map(Matcher::new));

impl Matcher {
    fn new(language: Language) -> Matcher {
        let mut keywords = Vec::new();
        let mut by_first: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (code, info) in Themes::get().all() {
            for keyword in info.keywords(language) {
                let stems = text::analyse(keyword, language);
                let Some(first) = stems.first() else { continue };
                by_first
                    .entry(first.clone())
                    .or_default()
                    .push(keywords.len());
                keywords.push(Keyword {
                    code,
                    text: keyword.as_str(),
                    stems,
                });
            }
        }
        Matcher { keywords, by_first }
    }

    /// By keyword: whether its stems occur in `tokens` as a contiguous sequence.
    fn hits<T: AsRef<str>>(&self, tokens: &[T]) -> Vec<bool> {
        let mut hit = vec![false; self.keywords.len()];
        self.for_each_hit(tokens, |k| hit[k] = true);
        hit
    }

    /// Calls `f` with the index of each keyword whose stems occur in `tokens` as a
    /// contiguous sequence, once per occurrence.
    fn for_each_hit<T: AsRef<str>>(&self, tokens: &[T], mut f: impl FnMut(usize)) {
        for (i, token) in tokens.iter().enumerate() {
            for &k in self.by_first.get(token.as_ref()).into_iter().flatten() {
                let stems = &self.keywords[k].stems;
                let rest = &tokens[i..];
                if rest.len() >= stems.len() && stems.iter().zip(rest).all(|(s, t)| s == t.as_ref())
                {
                    f(k);
                }
            }
        }
    }
}

/// The themes whose keywords (in `language`) occur in `text`, by weight descending,
/// then table order.
pub fn infer_themes(text: &str, language: Language) -> Vec<InferredTheme> {
    infer_from_tokens(&text::analyse(text, language), language)
}

/// [`infer_themes`] on a text already analysed for `language` (by [`text::analyse`]).
pub fn infer_from_tokens<T: AsRef<str>>(tokens: &[T], language: Language) -> Vec<InferredTheme> {
    let matcher = &MATCHERS[language.index()];
    let hit = matcher.hits(tokens);
    let mut by_theme: Vec<Option<InferredTheme>> = vec![None; crate::reference::THEME_COUNT];
    for (keyword, _) in matcher.keywords.iter().zip(&hit).filter(|(_, hit)| **hit) {
        let entry = by_theme[keyword.code.index()].get_or_insert_with(|| InferredTheme {
            code: keyword.code,
            weight: 0.0,
            matched: Vec::new(),
        });
        entry.matched.push(keyword.text.to_owned());
    }
    let mut found: Vec<InferredTheme> = by_theme.into_iter().flatten().collect();
    for theme in &mut found {
        theme.weight = 1.0 - 0.5f64.powi(theme.matched.len() as i32);
    }
    found.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.code.cmp(&b.code)));
    found
}

/// The themes of [`infer_from_tokens`] as a bitset ([`ThemeCode::bit`]), without their
/// weights and keywords: what the search index records of every fiche.
pub fn inferred_theme_bits<T: AsRef<str>>(tokens: &[T], language: Language) -> u32 {
    let matcher = &MATCHERS[language.index()];
    let mut bits = 0;
    matcher.for_each_hit(tokens, |k| bits |= matcher.keywords[k].code.bit());
    bits
}

/// The stems of each keyword (in `language`) that occurs in `tokens` (analysed as
/// for [`infer_from_tokens`]), with its theme; in table order. The search marks the
/// query words a theme's keywords cover with them.
pub fn matched_keyword_stems<T: AsRef<str>>(
    tokens: &[T],
    language: Language,
) -> Vec<(ThemeCode, &'static [String])> {
    let matcher: &'static Matcher = &MATCHERS[language.index()];
    let hit = matcher.hits(tokens);
    (matcher.keywords.iter().zip(hit))
        .filter(|(_, hit)| *hit)
        .map(|(keyword, _)| (keyword.code, keyword.stems.as_slice()))
        .collect()
}

/// Themes of the offer: declared, then inferred from the offer text and activities.
pub fn effective_offer_themes(fiche: &Fiche) -> Vec<EffectiveTheme> {
    let texts = [
        fiche.offer.as_ref().and_then(|o| o.text.as_deref()),
        fiche.activities.as_deref(),
    ];
    effective(fiche, fiche.offer.as_ref(), &texts)
}

/// Themes of the request: declared, then inferred from the request text.
pub fn effective_request_themes(fiche: &Fiche) -> Vec<EffectiveTheme> {
    let texts = [fiche.request.as_ref().and_then(|r| r.text.as_deref())];
    effective(fiche, fiche.request.as_ref(), &texts)
}

fn effective(
    fiche: &Fiche,
    intent: Option<&Intent>,
    texts: &[Option<&str>],
) -> Vec<EffectiveTheme> {
    let declared = intent.map_or(&[][..], |i| i.themes.as_slice());
    let mut out: Vec<EffectiveTheme> = declared
        .iter()
        .map(|&code| EffectiveTheme {
            code,
            weight: 1.0,
            inferred: false,
            matched: Vec::new(),
        })
        .collect();
    let text = texts
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    if text.is_empty() {
        return out;
    }
    for theme in infer_themes(&text, text::fiche_language(fiche)) {
        if !declared.contains(&theme.code) {
            out.push(EffectiveTheme {
                code: theme.code,
                weight: theme.weight,
                inferred: true,
                matched: theme.matched,
            });
        }
    }
    out
}
