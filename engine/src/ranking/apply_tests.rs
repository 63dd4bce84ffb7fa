//! Incremental writes against fresh builds: after any sequence of upserts and
//! deletions, the matcher answers exactly as one built from scratch on the final
//! corpus (with the same vocabulary: writes do not recount document frequencies).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::*;
use crate::fiche::{Fiche, Side};
use crate::jsonl::parse_fiche;
use crate::reference::Countries;
use crate::scoring::NoVetoes;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn some<T: Clone>(&mut self, items: &[T], percent: u64) -> Vec<T> {
        items
            .iter()
            .filter(|_| self.chance(percent))
            .cloned()
            .collect()
    }
}

const THEMES: [&str; 8] = [
    "sante",
    "eau-assainissement",
    "education",
    "jeunesse",
    "energie",
    "dechets",
    "agriculture",
    "culture-patrimoine",
];
const WORDS: [&str; 10] = [
    "eau potable",
    "forages",
    "santé maternelle",
    "école",
    "jeunes volontaires",
    "énergie solaire",
    "déchets",
    "maraîchage",
    "patrimoine",
    "gouvernance",
];
const FOREIGN: [&str; 4] = ["BJ", "SN", "MA", "BR"];
const REGIONS: [&str; 4] = ["11", "84", "75", "53"];
const ADMIN1: [&str; 3] = ["A", "B", "C"];

fn ids() -> Vec<String> {
    let mut ids: Vec<String> = (0..40).map(|i| format!("FR-COM-{i:05}")).collect();
    ids.extend((0..60).map(|i| format!("{}-COM-{i:03}", FOREIGN[i % FOREIGN.len()])));
    ids
}

fn text(rng: &mut Rng) -> Value {
    let words: Vec<&str> = (0..rng.below(4)).map(|_| *rng.pick(&WORDS)).collect();
    json!(words.join(", "))
}

fn intent(rng: &mut Rng) -> Value {
    json!({"themes": rng.some(&THEMES, 25), "text": text(rng)})
}

/// A random valid fiche for `id`, naming partners among `ids` and ids that are not
/// in the corpus.
fn random_fiche(rng: &mut Rng, id: &str, ids: &[String]) -> Fiche {
    let country = &id[..2];
    let french = country == "FR";
    let mut fiche = json!({
        "id": id, "country": country,
        "kind": if french { "commune" } else { "municipality" }, "level": "local",
        "name": format!("Ville {id}"),
        "location": {"lat": 0.0, "lon": 0.0},
        "population": rng.pick(&[0u64, 5_000, 80_000, 500_000]),
        "languages": rng.some(&["fr", "en", "es", "pt"], 30),
        "offer": intent(rng),
        "request": {"themes": [rng.pick(&THEMES)], "text": text(rng)},
    });
    if french {
        if rng.chance(85) {
            fiche["admin"] = json!({"region": rng.pick(&REGIONS), "departement": "01"});
        }
        let actors: Vec<Value> = (0..rng.below(3))
            .map(|_| {
                json!({"country": rng.pick(&FOREIGN),
                "kind": rng.pick(&["diaspora", "ngo", "university"])})
            })
            .collect();
        fiche["foreign_actors"] = json!(actors);
    } else if rng.chance(80) {
        fiche["admin"] = json!({"admin1": rng.pick(&ADMIN1)});
    }
    let partners: Vec<Value> = (0..rng.below(4))
        .map(|_| {
            let partner = if rng.chance(15) {
                format!("SN-COM-GHOST{}", rng.below(3))
            } else {
                rng.pick(ids).clone()
            };
            json!({"partner_id": partner, "kind": "cooperation", "active": rng.chance(75)})
        })
        .filter(|p| p["partner_id"] != id)
        .collect();
    fiche["partnerships"] = json!(partners);
    fiche["call"] = match rng.below(10) {
        0 => json!({"status": "closed"}),
        1 => json!({"status": "open", "expires": "2026-01-01"}),
        _ => json!({"status": "open"}),
    };
    parse_fiche(&fiche.to_string()).unwrap_or_else(|e| panic!("{fiche}: {e:?}"))
}

fn suggestion_options() -> Vec<SuggestOptions> {
    vec![
        SuggestOptions {
            k: 25,
            ..SuggestOptions::default()
        },
        SuggestOptions {
            k: 8,
            max_per_country: Some(2),
            ..SuggestOptions::default()
        },
        SuggestOptions {
            k: 10,
            filters: CandidateFilters {
                theme: ThemeCode::parse("sante"),
                min_population: Some(1),
                ..CandidateFilters::default()
            },
            ..SuggestOptions::default()
        },
    ]
}

fn ids_of(matcher: &Matcher, slots: &[u32]) -> Vec<FicheId> {
    let mut ids: Vec<FicheId> = slots
        .iter()
        .map(|&s| matcher.fiches[s as usize].id.clone())
        .collect();
    ids.sort();
    ids
}

/// `incremental` answers exactly as a fresh build on `corpus` does.
fn assert_same(incremental: &Matcher, corpus: &BTreeMap<FicheId, Fiche>, context: &str) {
    let fiches: Vec<Fiche> = corpus.values().cloned().collect();
    let fresh = incremental.rebuilt(&fiches);
    assert_eq!(incremental.len(), fresh.len(), "{context}");
    for id in corpus.keys() {
        let (a, b) = (
            incremental.features(id).unwrap(),
            fresh.features(id).unwrap(),
        );
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{context}: features");
        let (sa, sb) = (incremental.by_id[id], fresh.by_id[id]);
        assert_eq!(
            ids_of(incremental, &incremental.links[sa as usize]),
            ids_of(&fresh, &fresh.links[sb as usize]),
            "{context}: links of {id}"
        );
        for options in suggestion_options() {
            assert_eq!(
                incremental.suggest(id, &options, &NoVetoes).unwrap(),
                fresh.suggest(id, &options, &NoVetoes).unwrap(),
                "{context}: suggestions for {id} with {options:?}"
            );
        }
    }
    for country in Countries::get().all().iter().map(|c| c.code) {
        let (a, b) = (incremental.context(), fresh.context());
        assert_eq!(
            a.french_links(country),
            b.french_links(country),
            "{context}"
        );
        assert_eq!(
            a.underserved(country).to_bits(),
            b.underserved(country).to_bits()
        );
        for region in REGIONS {
            assert_eq!(
                a.region_links(region, country),
                b.region_links(region, country),
                "{context}: {region} × {country}"
            );
        }
    }
    let mut suggestible = incremental.suggestible_foreign_countries();
    let mut expected = fresh.suggestible_foreign_countries();
    suggestible.sort();
    expected.sort();
    assert_eq!(suggestible, expected, "{context}");
    check_columns(incremental);
}

/// The columns and the write index agree with the fiches.
fn check_columns(matcher: &Matcher) {
    for columns in [&matcher.french, &matcher.foreign] {
        for (i, &slot) in columns.fiche.iter().enumerate() {
            let fiche = &matcher.fiches[slot as usize];
            assert_eq!(matcher.by_id[&fiche.id], slot);
            assert!(fiche.open_call);
            assert_eq!(columns.order[i], matcher.writes.order.key(slot));
            let areas: Vec<u32> = fiche.partner_areas.iter().map(|a| a.bits()).collect();
            if fiche.side == Side::French {
                assert_eq!(columns.partner_areas_of(i), areas.as_slice());
            }
        }
    }
    let in_columns = matcher.french.len() + matcher.foreign.len();
    let open = matcher
        .by_id
        .values()
        .filter(|&&s| matcher.fiches[s as usize].open_call)
        .count();
    assert_eq!(in_columns, open);
}

#[test]
fn random_writes_answer_as_a_fresh_build() {
    let ids = ids();
    let mut rng = Rng(20_261_122);
    let mut corpus: BTreeMap<FicheId, Fiche> = BTreeMap::new();
    for id in &ids {
        if rng.chance(60) {
            let fiche = random_fiche(&mut rng, id, &ids);
            corpus.insert(fiche.id.clone(), fiche);
        }
    }
    let mut matcher = Matcher::new(corpus.values().cloned().collect(), today(), 2).unwrap();
    assert_same(&matcher, &corpus, "first build");
    for round in 0..40 {
        let mut upserts = Vec::new();
        let mut deletes = Vec::new();
        for _ in 0..1 + rng.below(4) {
            let id = rng.pick(&ids).clone();
            let fiche_id = FicheId::parse(&id).unwrap();
            if corpus.contains_key(&fiche_id) && rng.chance(35) {
                deletes.push(fiche_id);
            } else {
                upserts.push(random_fiche(&mut rng, &id, &ids));
            }
        }
        if rng.chance(20) && !upserts.is_empty() {
            // The same id twice in one write: the last one wins.
            let again = random_fiche(&mut rng, upserts[0].id.as_str(), &ids);
            upserts.push(again);
        }
        if rng.chance(10) {
            // Deleted and upserted in one write: upserted.
            deletes.push(FicheId::parse(rng.pick(&ids).as_str()).unwrap());
        }
        for id in &deletes {
            corpus.remove(id);
        }
        for fiche in &upserts {
            corpus.insert(fiche.id.clone(), fiche.clone());
        }
        matcher.apply(&upserts, &deletes);
        assert_same(&matcher, &corpus, &format!("round {round}"));
    }
}

#[test]
fn ids_arriving_at_the_same_place_keep_ties_broken_by_id() {
    let line = |id: &str| {
        parse_fiche(&format!(
            r#"{{"id":"{id}","country":"{}","kind":"{}","level":"local","name":"{id}","location":{{"lat":0,"lon":0}},"population":5000,"offer":{{"themes":["sante"]}},"request":{{"themes":["eau-assainissement"]}},"call":{{"status":"open"}}}}"#,
            &id[..2],
            if id.starts_with("FR") { "commune" } else { "municipality" }
        ))
        .unwrap()
    };
    let mut corpus: BTreeMap<FicheId, Fiche> = BTreeMap::new();
    for id in ["FR-COM-1", "SN-COM-B", "SN-COM-C"] {
        corpus.insert(FicheId::parse(id).unwrap(), line(id));
    }
    let mut matcher = Matcher::new(corpus.values().cloned().collect(), today(), 1).unwrap();
    // Identical foreign fiches whose ids sort between "SN-COM-A…" and "SN-COM-B":
    // every one halves the same gap, until keys around it are spread anew.
    for n in 1..=40 {
        let fiche = line(&format!("SN-COM-{}", "A".repeat(n)));
        corpus.insert(fiche.id.clone(), fiche.clone());
        matcher.apply(&[fiche], &[]);
    }
    assert!(matcher.writes.order.relabels >= 1);
    let options = SuggestOptions {
        k: 100,
        ..SuggestOptions::default()
    };
    let french = FicheId::parse("FR-COM-1").unwrap();
    let suggestions = matcher.suggest(&french, &options, &NoVetoes).unwrap();
    assert_eq!(suggestions.len(), 42);
    assert!(suggestions.windows(2).all(|w| w[0].total == w[1].total));
    assert!(
        suggestions.windows(2).all(|w| w[0].id < w[1].id),
        "equal totals, in id order"
    );
    assert_same(&matcher, &corpus, "after keys were spread anew");
}

#[test]
fn deleting_everything_and_adding_back_reuses_slots() {
    let ids = ids();
    let mut rng = Rng(7);
    let corpus: BTreeMap<FicheId, Fiche> = ids
        .iter()
        .map(|id| random_fiche(&mut rng, id, &ids))
        .map(|f| (f.id.clone(), f))
        .collect();
    let mut matcher = Matcher::new(corpus.values().cloned().collect(), today(), 2).unwrap();
    let all: Vec<FicheId> = corpus.keys().cloned().collect();
    matcher.apply(&[], &all);
    assert!(matcher.is_empty());
    assert_eq!(matcher.french.len() + matcher.foreign.len(), 0);
    assert!(matcher.writes_are_empty());
    let fiches: Vec<Fiche> = corpus.values().cloned().collect();
    matcher.apply(&fiches, &[]);
    assert_eq!(matcher.fiches.len(), corpus.len(), "every slot reused");
    assert_same(&matcher, &corpus, "deleted and added back");
}
