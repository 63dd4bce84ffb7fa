//! Free texts of a fiche (activities, offer, request) written in the fiche's language
//! from the keywords of `themes.csv`, so that theme inference from text has real
//! material to work on. Several templates per language keep texts from being uniform;
//! offers describe savoir-faire, requests describe the objectives sought.

mod ar;
mod en;
mod es;
mod fr;
mod pt;

use passerelle_engine::reference::{Language, ThemeCode};

use crate::random::Rng;

/// The sentences of one language. Placeholders: `{name}`, `{population}`, `{topics}`.
#[derive(Debug)]
pub struct Phrasebook {
    /// Joins the last two items of a list ("et", "and", "y", "e").
    pub and: &'static str,
    pub thousands_separator: &'static str,
    pub population: &'static [&'static str],
    pub activities: &'static [&'static str],
    pub offer: &'static [&'static str],
    pub offer_more: &'static [&'static str],
    pub request: &'static [&'static str],
    pub request_more: &'static [&'static str],
}

fn phrasebook(language: Language) -> &'static Phrasebook {
    match language {
        Language::Fr => &fr::PHRASES,
        Language::En => &en::PHRASES,
        Language::Es => &es::PHRASES,
        Language::Pt => &pt::PHRASES,
        Language::Ar => &ar::PHRASES,
    }
}

/// How much to write: keywords per theme and extra sentences, from the activity level.
#[derive(Debug, Clone, Copy)]
pub struct Detail {
    pub keywords_per_theme: usize,
    pub extra_sentences: usize,
}

impl Detail {
    pub fn for_activity(activity: f64, rng: &mut Rng) -> Detail {
        Detail {
            keywords_per_theme: if rng.chance(activity) { 2 } else { 1 },
            extra_sentences: usize::from(rng.chance(0.2 + 0.6 * activity))
                + usize::from(rng.chance(0.5 * activity)),
        }
    }
}

/// "Main characteristics and activities of the territory."
pub fn activities(
    language: Language,
    rng: &mut Rng,
    name: &str,
    population: u64,
    themes: &[ThemeCode],
) -> String {
    let book = phrasebook(language);
    let topics = topics(language, rng, themes, 1);
    let template = *rng.pick::<&str>(book.activities);
    let mut text = fill(template, name, &topics);
    if population >= 1_000 {
        let sentence = rng
            .pick::<&str>(book.population)
            .replace("{population}", &approximate(population, book));
        text = format!("{} {text}", sentence.replace("{name}", name));
    }
    text
}

/// The savoir-faire offered.
pub fn offer(language: Language, rng: &mut Rng, themes: &[ThemeCode], detail: Detail) -> String {
    let book = phrasebook(language);
    compose(book.offer, book.offer_more, language, rng, themes, detail)
}

/// The objectives sought.
pub fn request(language: Language, rng: &mut Rng, themes: &[ThemeCode], detail: Detail) -> String {
    let book = phrasebook(language);
    compose(
        book.request,
        book.request_more,
        language,
        rng,
        themes,
        detail,
    )
}

fn compose(
    openings: &[&str],
    more: &[&str],
    language: Language,
    rng: &mut Rng,
    themes: &[ThemeCode],
    detail: Detail,
) -> String {
    let topics = topics(language, rng, themes, detail.keywords_per_theme);
    let template = *rng.pick::<&str>(openings);
    let mut text = fill(template, "", &topics);
    let extra: Vec<usize> = rng.weighted_distinct(&vec![1.0; more.len()], detail.extra_sentences);
    for i in extra {
        text.push(' ');
        text.push_str(more[i]);
    }
    text
}

fn fill(template: &str, name: &str, topics: &str) -> String {
    template.replace("{name}", name).replace("{topics}", topics)
}

/// Keywords of the themes, `per_theme` each, joined as a list in the language.
fn topics(language: Language, rng: &mut Rng, themes: &[ThemeCode], per_theme: usize) -> String {
    let mut words: Vec<&str> = Vec::new();
    for theme in themes {
        let keywords = theme.info().keywords(language);
        for i in rng.weighted_distinct(&vec![1.0; keywords.len()], per_theme) {
            words.push(&keywords[i]);
        }
    }
    join(language, &words)
}

/// "a, b et c"; in Spanish "y" becomes "e" before an /i/ sound; in Arabic the
/// comma is `،` and "و" is written joined to the last item.
fn join(language: Language, words: &[&str]) -> String {
    let book = phrasebook(language);
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] if language == Language::Ar => {
            format!("{} {}{last}", init.join("، "), book.and)
        }
        [init @ .., last] => {
            let lower = last.to_lowercase();
            let and = if language == Language::Es
                && (lower.starts_with('i') || lower.starts_with("hi"))
                && !lower.starts_with("hie")
            {
                "e"
            } else {
                book.and
            };
            format!("{} {and} {last}", init.join(", "))
        }
    }
}

/// A population rounded as people say it ("about 12 300"), with the language's separator.
fn approximate(population: u64, book: &Phrasebook) -> String {
    // Three significant digits: 8 205 557 is "about 8 210 000".
    let magnitude = population.checked_ilog10().unwrap_or(0);
    let unit = 10u64.pow(magnitude.saturating_sub(2));
    let rounded = (population + unit / 2) / unit * unit;
    let digits = rounded.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(book.thousands_separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_joined_in_the_language() {
        assert_eq!(
            join(Language::Fr, &["eau", "école", "santé"]),
            "eau, école et santé"
        );
        assert_eq!(
            join(Language::Es, &["agua", "investigación"]),
            "agua e investigación"
        );
        assert_eq!(join(Language::En, &["water"]), "water");
        assert_eq!(
            join(Language::Ar, &["الماء", "الصحة", "التعليم"]),
            "الماء، الصحة والتعليم"
        );
    }

    #[test]
    fn populations_are_rounded_and_grouped() {
        assert_eq!(approximate(1_234_567, &en::PHRASES), "1,230,000");
        assert_eq!(approximate(4_326, &fr::PHRASES), "4 330");
    }

    #[test]
    fn texts_use_the_keywords_of_their_language() {
        let water = ThemeCode::parse("eau-assainissement").unwrap();
        let mut rng = Rng::new(1);
        let detail = Detail {
            keywords_per_theme: 2,
            extra_sentences: 1,
        };
        for language in Language::ALL {
            let text = request(language, &mut rng, &[water], detail);
            let keywords = water.info().keywords(language);
            assert!(
                keywords.iter().any(|k| text.contains(k.as_str())),
                "{language:?}: {text}"
            );
        }
    }
}
