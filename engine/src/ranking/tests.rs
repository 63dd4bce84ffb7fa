//! Ranking: top k, ties by id, the same result on any number of threads, diversity.

use super::*;
use crate::fiche::Fiche;
use crate::jsonl::parse_fiche;
use crate::scoring::NoVetoes;
use chrono::NaiveDate;

const COUNTRIES: [&str; 5] = ["BJ", "SN", "MA", "ES", "BR"];
const THEMES: [&str; 6] = [
    "sante",
    "eau-assainissement",
    "education",
    "jeunesse",
    "energie",
    "dechets",
];

fn corpus() -> Vec<Fiche> {
    let mut fiches = vec![parse_fiche(r#"{"id":"FR-COM-35238","country":"FR","kind":"commune","level":"local","name":"Rennes","admin":{"region":"53"},"location":{"lat":48.1,"lon":-1.7},"population":220000,"languages":["fr"],"offer":{"themes":["sante","eau-assainissement","education"]},"request":{"themes":["jeunesse"]},"call":{"status":"open"}}"#).unwrap()];
    for i in 0..300 {
        let country = COUNTRIES[i % COUNTRIES.len()];
        // Many exact ties: only a few distinct profiles.
        let request = THEMES[i % 3];
        let offer = THEMES[3 + i % 3];
        let status = if i % 7 == 0 { "closed" } else { "open" };
        let line = format!(
            r#"{{"id":"{country}-GN-{i:05}","country":"{country}","kind":"municipality","level":"local","name":"Ville {i}","location":{{"lat":0,"lon":0}},"population":{},"offer":{{"themes":["{offer}"]}},"request":{{"themes":["{request}"]}},"call":{{"status":"{status}"}}}}"#,
            100_000 + (i % 4) * 50_000
        );
        fiches.push(parse_fiche(&line).unwrap());
    }
    fiches
}

fn matcher(threads: usize) -> Matcher {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    Matcher::new(corpus(), today, threads).unwrap()
}

fn rennes() -> FicheId {
    FicheId::parse("FR-COM-35238").unwrap()
}

#[test]
fn suggestions_are_sorted_with_ties_broken_by_id() {
    let suggestions = matcher(2)
        .suggest(&rennes(), &SuggestOptions::default(), &NoVetoes)
        .unwrap();
    assert_eq!(suggestions.len(), 10);
    for pair in suggestions.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            a.total > b.total || (a.total == b.total && a.id < b.id),
            "{a:?} then {b:?}"
        );
    }
    assert!(suggestions.iter().all(|s| s.country.as_str() != "FR"));
}

#[test]
fn rankings_are_identical_across_thread_counts() {
    let options = SuggestOptions {
        k: 50,
        ..SuggestOptions::default()
    };
    let one = matcher(1).suggest(&rennes(), &options, &NoVetoes).unwrap();
    let two = matcher(2).suggest(&rennes(), &options, &NoVetoes).unwrap();
    let four = matcher(4).suggest(&rennes(), &options, &NoVetoes).unwrap();
    assert_eq!(one, two);
    assert_eq!(one, four);
}

#[test]
fn closed_calls_and_filters_are_respected() {
    let matcher = matcher(2);
    let options = SuggestOptions {
        k: 1000,
        filters: CandidateFilters {
            country: CountryCode::parse("SN"),
            ..CandidateFilters::default()
        },
        ..SuggestOptions::default()
    };
    let suggestions = matcher.suggest(&rennes(), &options, &NoVetoes).unwrap();
    // 60 Senegalese fiches, those with i % 7 == 0 closed.
    let expected = (0..300).filter(|i| i % 5 == 1 && i % 7 != 0).count();
    assert_eq!(suggestions.len(), expected);
    assert!(suggestions.iter().all(|s| s.country.as_str() == "SN"));
}

#[test]
fn a_cap_per_country_diversifies_the_top() {
    let options = SuggestOptions {
        k: 10,
        max_per_country: Some(2),
        ..SuggestOptions::default()
    };
    let suggestions = matcher(2).suggest(&rennes(), &options, &NoVetoes).unwrap();
    assert_eq!(suggestions.len(), 10);
    for country in COUNTRIES {
        assert_eq!(
            suggestions
                .iter()
                .filter(|s| s.country.as_str() == country)
                .count(),
            2
        );
    }
}

#[test]
fn vetoed_pairs_are_never_suggested() {
    struct VetoBenin;
    impl PairVeto for VetoBenin {
        fn vetoed_partners(&self, _: &FicheId) -> Vec<FicheId> {
            (0..300)
                .map(|i| FicheId::parse(&format!("BJ-GN-{i:05}")).unwrap())
                .collect()
        }
    }
    let options = SuggestOptions {
        k: 1000,
        ..SuggestOptions::default()
    };
    let suggestions = matcher(2).suggest(&rennes(), &options, &VetoBenin).unwrap();
    assert!(!suggestions.is_empty());
    assert!(suggestions.iter().all(|s| s.country.as_str() != "BJ"));
}

#[test]
fn explain_reports_exclusions_and_unknown_ids() {
    let matcher = matcher(1);
    let closed = FicheId::parse("BJ-GN-00000").unwrap();
    let (score, exclusion) = matcher
        .explain(&rennes(), &closed, &Weights::default(), &NoVetoes)
        .unwrap();
    assert!(score.total > 0.0);
    assert!(matches!(exclusion, Some(Exclusion::NoOpenCall(_))));
    let unknown = FicheId::parse("BJ-GN-99999").unwrap();
    assert!(matches!(
        matcher.explain(&rennes(), &unknown, &Weights::default(), &NoVetoes),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn applied_changes_show_at_once() {
    let mut matcher = matcher(2);
    let options = SuggestOptions {
        k: 3,
        ..SuggestOptions::default()
    };
    let before = matcher.suggest(&rennes(), &options, &NoVetoes).unwrap();
    let top = before[0].id.clone();
    // A new fiche answering Rennes exactly, both ways, and the top one deleted.
    let perfect = parse_fiche(r#"{"id":"SN-GN-99999","country":"SN","kind":"municipality","level":"local","name":"Parfaite","location":{"lat":0,"lon":0},"population":220000,"languages":["fr"],"offer":{"themes":["jeunesse"]},"request":{"themes":["sante","eau-assainissement","education"]},"call":{"status":"open"}}"#).unwrap();
    matcher.apply(&[perfect], std::slice::from_ref(&top));
    let after = matcher.suggest(&rennes(), &options, &NoVetoes).unwrap();
    assert_eq!(after[0].id.as_str(), "SN-GN-99999");
    assert!(after.iter().all(|s| s.id != top));
    assert!(matches!(matcher.features(&top), Err(Error::NotFound(_))));
    assert_eq!(matcher.len(), 301);
}

#[test]
fn inferred_themes_match_the_effective_themes_of_themes_from_text() {
    let fiche = parse_fiche(r#"{"id":"MX-GN-1","country":"MX","kind":"municipality","level":"local","name":"Uno","location":{"lat":0,"lon":0},"population":5000,"languages":["es"],"activities":"Turismo y patrimonio.","offer":{"themes":["tourisme"],"text":"Escuela y alfabetización."},"request":{"text":"Agua potable y saneamiento, centro de salud."},"call":{"status":"open"}}"#).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let matcher = Matcher::new(vec![fiche.clone()], today, 1).unwrap();
    let features = matcher.features(&fiche.id).unwrap();
    let expected = crate::scoring::InferredThemes::from_texts(&fiche);
    assert!(!expected.request.is_empty() && !expected.offer.is_empty());
    assert_eq!(features.inferred, expected.offer.union(expected.request));
    assert!(
        features
            .request
            .contains(crate::reference::ThemeCode::parse("eau-assainissement").unwrap())
    );
}

#[test]
fn a_text_only_request_in_another_language_meets_a_french_offer() {
    let french = parse_fiche(r#"{"id":"FR-COM-2","country":"FR","kind":"commune","level":"local","name":"Deux","location":{"lat":0,"lon":0},"population":5000,"offer":{"text":"Eau potable, assainissement et forages."},"call":{"status":"open"}}"#).unwrap();
    let spanish = parse_fiche(r#"{"id":"BO-GN-1","country":"BO","kind":"municipality","level":"local","name":"Uno","location":{"lat":0,"lon":0},"population":5000,"request":{"text":"Buscamos apoyo en agua potable y saneamiento."},"call":{"status":"open"}}"#).unwrap();
    let chinese = parse_fiche(r#"{"id":"CN-GN-1","country":"CN","kind":"municipality","level":"local","name":"Yi","location":{"lat":0,"lon":0},"population":0,"languages":["zh"],"request":{"text":"供水"},"call":{"status":"open"}}"#).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let matcher = Matcher::new(
        vec![french.clone(), spanish.clone(), chinese.clone()],
        today,
        1,
    )
    .unwrap();
    let suggestions = matcher
        .suggest(&french.id, &SuggestOptions::default(), &NoVetoes)
        .unwrap();
    assert_eq!(suggestions[0].id, spanish.id);
    let thematic = &suggestions[0].breakdown.thematic;
    // A one-sided perfect match: ¼ reciprocal, weighted 0.7.
    assert!(thematic.score >= 0.175, "{thematic:?}");
    assert!(
        thematic
            .reasons
            .iter()
            .any(|r| r.contains("eau et assainissement (déduit du texte)")),
        "{thematic:?}"
    );
    // A text in a language the engine does not analyse scores, without themes.
    let unknown = suggestions.iter().find(|s| s.id == chinese.id).unwrap();
    assert_eq!(unknown.breakdown.thematic.score, 0.0);
    assert!(
        unknown
            .breakdown
            .iter()
            .all(|b| (0.0..=1.0).contains(&b.score))
    );
}

#[test]
fn the_cache_is_reused_when_fresh_and_rebuilt_when_stale_or_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = crate::store::Store::open(dir.path()).unwrap();
    store.upsert(&corpus()).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let options = SuggestOptions::default();
    let fresh = matcher(1).suggest(&rennes(), &options, &NoVetoes).unwrap();
    let open = |store: &crate::store::Store| {
        Matcher::with_cache(
            store.load_all().unwrap(),
            today,
            1,
            &MatcherCache::for_store(store).unwrap(),
        )
        .unwrap()
    };
    let first = open(&store);
    let cache = MatcherCache::for_store(&store).unwrap().path;
    assert!(cache.exists());
    let written = std::fs::metadata(&cache).unwrap().modified().unwrap();
    assert_eq!(
        first.suggest(&rennes(), &options, &NoVetoes).unwrap(),
        fresh
    );
    assert_eq!(
        open(&store)
            .suggest(&rennes(), &options, &NoVetoes)
            .unwrap(),
        fresh
    );
    assert_eq!(
        std::fs::metadata(&cache).unwrap().modified().unwrap(),
        written,
        "reused, not rewritten"
    );

    std::fs::write(&cache, b"PSMC garbage").unwrap();
    assert_eq!(
        open(&store)
            .suggest(&rennes(), &options, &NoVetoes)
            .unwrap(),
        fresh
    );
    assert!(std::fs::read(&cache).unwrap().len() > 100, "rebuilt");

    let mut changed = corpus()[5].clone();
    changed.name = "Renommée".into();
    store.upsert(std::slice::from_ref(&changed)).unwrap();
    let stale = std::fs::read(&cache).unwrap();
    let reopened = open(&store);
    assert_eq!(reopened.features(&changed.id).unwrap().name, "Renommée");
    assert_ne!(
        std::fs::read(&cache).unwrap(),
        stale,
        "a new generation rewrites the cache"
    );
}
