//! The scorer of text searches against its oracle, the plan's tantivy query: the
//! same pages (ids, scores, snippets) and totals on random queries with random
//! filters over the sample corpus, in a fresh index, then with deleted documents in
//! several segments and pending writes.

use chrono::NaiveDate;

use super::super::query::{self, Scoring};
use super::*;
use crate::search::snippet::MatchedField;

const SAMPLE: &str = include_str!("../../../../datasets/sample/sample.jsonl");

/// Keywords of themes in several languages (`themes.csv`).
const THEME_WORDS: &[&str] = &[
    "eau",
    "potable",
    "santé",
    "école",
    "water",
    "health",
    "agua",
    "saúde",
    "forage",
    "déchets",
    "culture",
    "jeunesse",
    "agriculture",
    "tourisme",
    "énergie",
];

/// Words the sample's fiches are made of (names, texts, anything of their lines).
fn vocabulary() -> Vec<String> {
    let mut words: Vec<String> = SAMPLE
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_owned)
        .collect();
    words.sort();
    words.dedup();
    words.extend(["eau", "saint", "commune"].map(String::from));
    words
}

/// A small deterministic generator (xorshift64*): the test needs varied cases, not
/// statistical quality.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

fn random_query(random: &mut Random, words: &[String], fiches: &[Fiche]) -> SearchQuery {
    let count = 1 + random.below(4);
    // Often one rare word and frequent ones: the common words then only add to
    // scores, and decide the order of the first hits.
    let text: Vec<&str> = (0..count)
        .map(|_| match random.below(8) {
            // A name, to bring whole names and name words in.
            0 | 1 => fiches[random.below(fiches.len())].name.as_str(),
            // A frequent word: common words only add to scores.
            2 | 3 => ["de", "la", "et", "des", "les", "the", "of"][random.below(7)],
            // A keyword of a theme: its fiches are found by theme as well as by text
            // (theme places are read as bit sets, see the scorer).
            6 => THEME_WORDS[random.below(THEME_WORDS.len())],
            _ => words[random.below(words.len())].as_str(),
        })
        .collect();
    let mut query = SearchQuery::new(text.join(" "));
    let some = &fiches[random.below(fiches.len())];
    let filters = &mut query.filters;
    if random.one_in(4) {
        filters.country = Some(some.country);
    }
    if random.one_in(6) {
        filters.admin1 = super::super::schema::admin1(some).map(str::to_owned);
    }
    if random.one_in(6) {
        filters.level = Some(some.level);
    }
    if random.one_in(5) {
        filters.theme = ThemeCode::from_index(random.below(40));
    }
    if random.one_in(4) {
        filters.side = Some(some.side());
    }
    if random.one_in(5) {
        // Often the last day of a fiche's call: the bound itself.
        let expires = some.call.and_then(|call| call.expires);
        let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let other = day.checked_add_days(chrono::Days::new(random.below(1000) as u64));
        filters.open_on = if random.one_in(2) {
            expires.or(other)
        } else {
            other
        };
    }
    if random.one_in(5) {
        // Often a fiche's population: the bound itself.
        filters.min_population = Some(match random.one_in(2) {
            true => some.population,
            false => random.next() % 200_000,
        });
    }
    if random.one_in(5) {
        let min = filters.min_population.unwrap_or(0);
        filters.max_population = Some(min + random.next() % 2_000_000);
    }
    query.limit = [1, 2, 5, 20, 100][random.below(5)];
    query.offset = [0, 0, 3, 20][random.below(4)];
    query
}

/// How many of the pages compared had hits, and how many hits showed themes (the
/// scorer's hits matched through themes only skip their names and texts): so that
/// the test cannot pass on empty pages, or without such hits, alone.
#[derive(Debug, Default)]
struct Compared {
    with_hits: usize,
    themes_shown: usize,
}

/// Runs `rounds` random queries both ways and asserts identical pages.
fn compare(index: &SearchIndex, random: &mut Random, rounds: usize) -> Compared {
    let (words, fiches) = (vocabulary(), sample());
    let view = index.shared.view().unwrap();
    let fields = &index.shared.fields;
    let mut compared = Compared::default();
    for _ in 0..rounds {
        let query = random_query(random, &words, &fiches);
        let (key_sets, columns) = (&index.shared.key_sets, &index.shared.columns);
        let by_scorer = query::run(&view, fields, key_sets, columns, &query, Scoring::Postings);
        let by_tantivy = query::run(&view, fields, key_sets, columns, &query, Scoring::Tantivy);
        match (by_scorer, by_tantivy) {
            (Ok(scorer), Ok(tantivy)) => {
                assert_eq!(scorer, tantivy, "{query:?}");
                compared.with_hits += usize::from(!scorer.hits.is_empty());
                compared.themes_shown += (scorer.hits.iter())
                    .filter(|hit| {
                        hit.snippet.as_ref().map(|s| s.field) == Some(MatchedField::Themes)
                    })
                    .count();
            }
            (scorer, tantivy) => assert_eq!(scorer.is_err(), tantivy.is_err(), "{query:?}"),
        }
    }
    compared
}

fn sample() -> Vec<Fiche> {
    (SAMPLE.lines())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_scorer_gives_the_pages_of_the_tantivy_query() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let fiches = sample();
    store.upsert(&fiches).unwrap();
    let index = SearchIndex::open_or_rebuild(&store).unwrap();
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let compared = compare(&index, &mut random, 400);
    assert!(
        compared.with_hits > 100 && compared.themes_shown > 100,
        "{compared:?}"
    );

    // Committed writes (deleted documents, a second segment), then pending ones
    // (shadowed documents, pending documents scored by the plan).
    let mut changed: Vec<Fiche> = fiches.iter().step_by(7).cloned().collect();
    for fiche in &mut changed {
        fiche.activities = Some(format!("{} eau potable", fiche.name));
    }
    store.upsert(&changed).unwrap();
    index
        .apply(&changed, &[], store.generation().unwrap())
        .unwrap();
    index.flush().unwrap();
    index.pause_commits();
    let deleted = [fiches[3].id.clone(), fiches[10].id.clone()];
    store.delete(&deleted[0]).unwrap();
    store.delete(&deleted[1]).unwrap();
    let again: Vec<Fiche> = fiches.iter().skip(2).step_by(11).cloned().collect();
    store.upsert(&again).unwrap();
    index
        .apply(&again, &deleted, store.generation().unwrap())
        .unwrap();
    let compared = compare(&index, &mut random, 400);
    assert!(
        compared.with_hits > 100 && compared.themes_shown > 100,
        "{compared:?}"
    );

    // Frequent words in most fiches (two in three), so that they are common: they
    // then only add to scores, and reorder the first hits.
    let mut frequent: Vec<Fiche> = fiches.iter().step_by(3).cloned().collect();
    frequent.extend(fiches.iter().skip(1).step_by(3).cloned());
    for fiche in &mut frequent {
        let name = &fiche.name;
        fiche.activities = Some(format!("{name} de la région, the city of {name}"));
    }
    store.upsert(&frequent).unwrap();
    index
        .apply(&frequent, &[], store.generation().unwrap())
        .unwrap();
    let compared = compare(&index, &mut random, 400);
    assert!(
        compared.with_hits > 100 && compared.themes_shown > 100,
        "{compared:?}"
    );
}
