//! Interests, mutual matches, reconfirmations and freshness through the corpus.

use chrono::Utc;
use serde_json::json;

use super::*;
use crate::fiche::Fiche;
use crate::ranking::Suggestion;
use crate::scoring::{Exclusion, PairScore};
use crate::store::{InterestKind, NewInterest};
use crate::text::fixtures::{corpus as fiches, fiche};

const FRENCH: &str = "FR-COM-42218";
const BENIN: &str = "BJ-COM-BJ-OU-PNO";
const MOROCCO: &str = "MA-COM-RBT";
const THIES: &str = "SN-COM-THS";

fn id(text: &str) -> FicheId {
    FicheId::parse(text).unwrap()
}

/// The fixture corpus, plus two foreign fiches with open calls (one written in
/// Arabic) and a fresh French one.
fn more_fiches() -> Vec<Fiche> {
    let mut all = fiches();
    all.push(fiche(
        MOROCCO,
        "Rabat",
        json!({"population": 570_000, "languages": ["ar", "fr"],
               "request": {"text": "نبحث عن شريك في مجال الماء الصالح للشرب والصرف"},
               "call": {"status": "open"}}),
    ));
    all.push(fiche(
        THIES,
        "Thiès",
        json!({"population": 320_000, "request": {"themes": ["eau-assainissement"]},
               "call": {"status": "open"}}),
    ));
    all
}

fn open_with(dir: &Path, policy: Policy) -> Corpus {
    let options = CorpusOptions {
        today: Some("2026-09-01".parse().unwrap()),
        threads: 1,
        writer: None,
        policy,
    };
    Corpus::create_or_open(dir, &options).unwrap()
}

fn say(corpus: &Corpus, fiche: &str, candidate: &str, kind: InterestKind) {
    corpus
        .record_interest(&NewInterest {
            fiche: id(fiche),
            candidate: id(candidate),
            kind,
            note: "test".into(),
            actor: "portail".into(),
            at: Utc::now(),
        })
        .unwrap();
}

fn suggestions(corpus: &Corpus, of: &str) -> Vec<Suggestion> {
    let options = crate::ranking::SuggestOptions {
        k: 50,
        ..corpus.suggest_options()
    };
    corpus.suggest(&id(of), &options).unwrap().items
}

fn find<'a>(list: &'a [Suggestion], candidate: &str) -> Option<&'a Suggestion> {
    list.iter().find(|s| s.id.as_str() == candidate)
}

#[test]
fn interests_change_suggestions_one_way_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = open_with(dir.path(), Policy::default());
    corpus.upsert(&more_fiches()).unwrap();
    let before = suggestions(&corpus, FRENCH);
    for candidate in [BENIN, MOROCCO, THIES] {
        assert!(
            find(&before, candidate).is_some(),
            "{candidate}: {before:?}"
        );
    }
    assert!(find(&suggestions(&corpus, BENIN), FRENCH).is_some());

    // "Not interested" removes the candidate from the speaker's suggestions only.
    say(&corpus, FRENCH, BENIN, InterestKind::NotInterested);
    // "Interested" raises the pair by the bonus and says so to the other side.
    say(&corpus, MOROCCO, FRENCH, InterestKind::Interested);
    for corpus in [&corpus, &open_with(dir.path(), Policy::default())] {
        let after = suggestions(corpus, FRENCH);
        assert!(find(&after, BENIN).is_none());
        assert!(find(&suggestions(corpus, BENIN), FRENCH).is_some());
        let rabat = find(&after, MOROCCO).unwrap();
        let plain = find(&before, MOROCCO).unwrap();
        let bonus = rabat.interest.as_ref().expect("an interest");
        assert_eq!(
            bonus.amount,
            crate::scoring::interest::DEFAULT_INTEREST_BONUS
        );
        assert_eq!(rabat.total, (plain.total + bonus.amount).min(1.0));
        assert!(
            bonus.reasons[0] == "Rabat s'est déclarée intéressée par un partenariat avec vous",
            "{:?}",
            bonus.reasons
        );
        // The total is its breakdown's total, bit for bit.
        let weights = corpus.suggest_options().weights;
        for s in &after {
            let total = PairScore::total_of(&s.breakdown, s.interest.as_ref(), &weights);
            assert_eq!(total.to_bits(), s.total.to_bits(), "{}", s.id);
        }
        let explained = corpus.explain(&id(BENIN), &id(FRENCH), &weights).unwrap();
        assert_eq!(
            explained.exclusion,
            Some(Exclusion::NotInterested(id(FRENCH)))
        );
        let history = corpus.history(&id(FRENCH), None).unwrap();
        assert_eq!(history.interests.len(), 2);
    }
}

#[test]
fn mutual_interest_is_a_match_first_in_the_review_queue() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = open_with(dir.path(), Policy::default());
    corpus.upsert(&more_fiches()).unwrap();
    assert!(corpus.mutual_interests().unwrap().is_empty());
    say(&corpus, THIES, FRENCH, InterestKind::Interested);
    say(&corpus, FRENCH, THIES, InterestKind::Interested);
    let mutual = corpus.mutual_interests().unwrap();
    assert_eq!(mutual.len(), 1);
    assert_eq!(
        (mutual[0].french.as_str(), mutual[0].foreign.as_str()),
        (FRENCH, THIES)
    );
    assert!(!mutual[0].decided);
    let query = QueueQuery {
        per_fiche: 3,
        page_size: 20,
        ..QueueQuery::default()
    };
    let page = corpus.review_queue(&query).unwrap();
    let first = &page.entries[0];
    assert!(first.mutual);
    assert_eq!(first.partner.id.as_str(), THIES);
    assert_eq!(
        page.entries
            .iter()
            .filter(|e| e.fiche_id.as_str() == FRENCH && e.partner.id.as_str() == THIES)
            .count(),
        1,
        "listed once"
    );
    let bonus = first.partner.interest.as_ref().unwrap();
    assert!(bonus.sides.mutual());
    assert!(
        bonus
            .reasons
            .iter()
            .any(|r| r.starts_with("intérêt réciproque"))
    );
    // One side changes its mind: no longer a match.
    say(&corpus, THIES, FRENCH, InterestKind::NotInterested);
    assert!(corpus.mutual_interests().unwrap().is_empty());
    assert!(!corpus.review_queue(&query).unwrap().entries[0].mutual);
}

#[test]
fn stale_fiches_are_flagged_turned_off_and_reconfirmed() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = open_with(dir.path(), Policy::default());
    let mut all = more_fiches();
    for fiche in &mut all {
        if fiche.id.as_str() == THIES {
            fiche.updated_at =
                Some(crate::fiche::Timestamp::parse("2026-06-01T10:00:00Z").unwrap());
        }
    }
    corpus.upsert(&all).unwrap();
    let listed = suggestions(&corpus, FRENCH);
    assert!(!find(&listed, THIES).unwrap().stale);
    assert!(find(&listed, BENIN).unwrap().stale, "undated is stale");
    let hits = corpus
        .search(&crate::search::SearchQuery::new("Porto-Novo"))
        .unwrap();
    assert!(hits.hits[0].stale);
    let report = corpus.freshness().unwrap();
    assert!(
        report
            .fiches
            .iter()
            .any(|f| f.id.as_str() == BENIN && f.stale)
    );
    assert!(!report.fiches.iter().any(|f| f.id.as_str() == THIES));
    drop(corpus);

    // Turned off: only fresh fiches are suggested.
    let policy = Policy {
        freshness: Freshness {
            suggest_stale: false,
            ..Freshness::default()
        },
        ..Policy::default()
    };
    let strict = open_with(dir.path(), policy);
    let ids: Vec<String> = suggestions(&strict, FRENCH)
        .iter()
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(ids, [THIES]);
    // A reconfirmation makes the fiche fresh at once, and is kept.
    let record = strict
        .reconfirm(&id(BENIN), "inchangée", "portail")
        .unwrap();
    assert_eq!(
        strict.get(&id(BENIN)).unwrap().updated_at.unwrap().as_str(),
        record.at
    );
    assert_eq!(
        strict
            .history(&id(BENIN), None)
            .unwrap()
            .reconfirmations
            .len(),
        1
    );
    // (The record is dated now; the corpus judges on 2026-09-01: fresh if now is
    // within a year of it.)
    let now = Utc::now().date_naive();
    if strict
        .policy()
        .freshness
        .is_stale(Some(now), strict.today())
    {
        return;
    }
    assert!(
        suggestions(&strict, FRENCH)
            .iter()
            .any(|s| s.id.as_str() == BENIN)
    );
}

#[test]
fn the_freshness_csv_is_safe_and_in_french() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = open_with(dir.path(), Policy::default());
    let mut hostile = fiche("SN-COM-EVIL", "=HYPERLINK(\"http://x\")", json!({}));
    hostile.contact = Some(crate::fiche::Contact {
        role: Some("+33 1 23".into()),
        ..Default::default()
    });
    corpus.upsert(&[hostile]).unwrap();
    let mut out = Vec::new();
    corpus.freshness().unwrap().write_csv(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("id,collectivité,pays,côté,dernière mise à jour,à reconfirmer"));
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(text.contains("'+33 1 23"), "{text}");
    assert!(text.contains(",oui,"), "{text}");
}

/// Every entry of every page of the queue, two French fiches a page.
fn paged_to_the_end(corpus: &Corpus, query: &QueueQuery) -> Vec<QueueEntry> {
    let mut query = QueueQuery {
        page_size: 2,
        offset: 0,
        ..query.clone()
    };
    let mut entries = Vec::new();
    loop {
        let page = corpus.review_queue(&query).unwrap();
        entries.extend(page.entries);
        if !page.more {
            return entries;
        }
        query.offset += query.page_size;
    }
}

#[test]
fn with_stale_fiches_turned_off_the_queue_hides_them_and_its_count_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let mut all = more_fiches();
    for fiche in &mut all {
        if [THIES, MOROCCO].contains(&fiche.id.as_str()) {
            fiche.updated_at =
                Some(crate::fiche::Timestamp::parse("2026-06-01T10:00:00Z").unwrap());
        }
    }
    let query = QueueQuery {
        per_fiche: 3,
        ..QueueQuery::default()
    };
    let flagged = {
        let corpus = open_with(dir.path(), Policy::default());
        corpus.upsert(&all).unwrap();
        // A match with a stale fiche: hidden too when stale fiches are off.
        say(&corpus, BENIN, FRENCH, InterestKind::Interested);
        say(&corpus, FRENCH, BENIN, InterestKind::Interested);
        let listed = paged_to_the_end(&corpus, &query);
        assert_eq!(
            corpus.review_remaining(&query).unwrap(),
            listed.len() as u64
        );
        listed
    };
    assert!(flagged.iter().any(|e| e.partner.stale && e.mutual));
    let policy = Policy {
        freshness: Freshness {
            suggest_stale: false,
            ..Freshness::default()
        },
        ..Policy::default()
    };
    let strict = open_with(dir.path(), policy);
    let listed = paged_to_the_end(&strict, &query);
    assert!(!listed.is_empty());
    assert!(listed.len() < flagged.len());
    for entry in &listed {
        assert!(!entry.partner.stale, "{} listed", entry.partner.id);
        assert!([THIES, MOROCCO].contains(&entry.partner.id.as_str()));
    }
    assert_eq!(
        strict.review_remaining(&query).unwrap(),
        listed.len() as u64
    );
    let in_region = QueueQuery {
        region: Some("84".into()),
        ..query.clone()
    };
    assert_eq!(
        strict.review_remaining(&in_region).unwrap(),
        paged_to_the_end(&strict, &in_region).len() as u64
    );
}
