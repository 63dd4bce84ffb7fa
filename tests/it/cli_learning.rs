//! The command line of issue 13: `eval --decisions`, `tune`, `review` (mutual
//! interests first), `freshness`, and suggestions that show interest and staleness.
//! Decisions and interests are recorded through the engine's corpus, as the gRPC
//! handlers and the console record them.

use std::path::Path;

use passerelle_engine::fiche::{Contact, FicheId, Timestamp};
use passerelle_engine::store::{
    DecisionKind, DecisionReason, InterestKind, NewDecision, NewInterest,
};
use passerelle_engine::{Corpus, CorpusOptions};
use passerelle_tests::{sample_fiches, store_sample};

use super::cli::{passerelle, passerelle_notes};

const DATE: &str = "2026-09-01";

fn open(data: &Path) -> Corpus {
    let options = CorpusOptions {
        today: Some(DATE.parse().unwrap()),
        ..CorpusOptions::default()
    };
    Corpus::open(data, &options).unwrap()
}

fn french_ids() -> Vec<FicheId> {
    sample_fiches()
        .into_iter()
        .filter(|f| f.id.country_prefix() == "FR")
        .map(|f| f.id)
        .collect()
}

fn top(corpus: &Corpus, id: &FicheId, k: usize) -> Vec<FicheId> {
    let options = passerelle_engine::ranking::SuggestOptions {
        k,
        ..corpus.suggest_options()
    };
    let found = corpus.suggest(id, &options).unwrap();
    found.items.into_iter().map(|s| s.id).collect()
}

fn decide(
    corpus: &Corpus,
    a: &FicheId,
    b: &FicheId,
    kind: DecisionKind,
    reason: Option<DecisionReason>,
) {
    corpus
        .record_decision(&NewDecision {
            a: a.clone(),
            b: b.clone(),
            kind,
            reason,
            note: String::new(),
            reviewer: "test".into(),
            at: chrono::Utc::now(),
        })
        .unwrap();
}

fn say(corpus: &Corpus, fiche: &FicheId, candidate: &FicheId, kind: InterestKind) {
    corpus
        .record_interest(&NewInterest {
            fiche: fiche.clone(),
            candidate: candidate.clone(),
            kind,
            note: "rencontre aux Assises".into(),
            actor: "portail".into(),
            at: chrono::Utc::now(),
        })
        .unwrap();
}

#[test]
fn decisions_are_replayed_tuned_and_the_weights_file_is_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    store_sample(&data);
    {
        let corpus = open(&data);
        // Staff accept each French fiche's best suggestion and reject its tenth.
        for (i, id) in french_ids().iter().take(40).enumerate() {
            let best = top(&corpus, id, 10);
            let reason = if i % 2 == 0 {
                DecisionReason::Theme
            } else {
                DecisionReason::Size
            };
            decide(&corpus, id, &best[0], DecisionKind::Accept, None);
            decide(&corpus, id, &best[9], DecisionKind::Reject, Some(reason));
        }
    }
    let replay = passerelle(&data, &["eval", "--decisions", "--date", DATE]).unwrap();
    assert!(
        replay.contains("80 décisions enregistrées ; 80 paires jugées"),
        "{replay}"
    );
    assert!(replay.contains("taux d'acceptation à 10"), "{replay}");
    assert!(
        replay.contains("Par pays de la fiche étrangère"),
        "{replay}"
    );
    assert!(replay.contains("Par thème recherché"), "{replay}");
    assert!(replay.contains("rejetée"), "{replay}");
    assert!(
        replay.contains("thème") && replay.contains("taille"),
        "{replay}"
    );
    // Rejected pairs are vetoed in real suggestions, not in the replay: the tenth is
    // still in the top 10 of the weights that ranked it there.
    assert!(
        replay.contains("rejetées encore dans le top 10 : 100,0"),
        "{replay}"
    );
    let json = passerelle(
        &data,
        &["eval", "--decisions", "--date", DATE, "--format", "json"],
    )
    .unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["judged"], 80);
    // Totals compared across French fiches: each accepted pair is above its own
    // rejected one, not above every rejected pair.
    let auc = value["summary"]["all"]["auc"].as_f64().unwrap();
    assert!(auc > 0.5 && auc < 1.0, "{auc}");

    let weights = dir.path().join("poids.toml");
    let weights_arg = weights.to_str().unwrap();
    let tuned = passerelle(&data, &["tune", "--out", weights_arg, "--date", DATE]).unwrap();
    assert!(
        tuned.contains("Ajustement sur 80 paires jugées (40 acceptées, 40 rejetées)"),
        "{tuned}"
    );
    assert!(
        tuned.contains("configurés (avant)") && tuned.contains("ajustés (après)"),
        "{tuned}"
    );
    assert!(tuned.contains("thématique"), "{tuned}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&weights).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let file = std::fs::read_to_string(&weights).unwrap();
    assert!(
        file.starts_with("# written by passerelle tune: 80 judged pairs"),
        "{file}"
    );
    assert!(file.contains("thematic = "), "{file}");
    // A second run does not replace the file unless told to.
    let again = passerelle(&data, &["tune", "--out", weights_arg, "--date", DATE]).unwrap_err();
    assert!(format!("{again:#}").contains("--force"), "{again:#}");
    passerelle(
        &data,
        &["tune", "--out", weights_arg, "--force", "--date", DATE],
    )
    .unwrap();

    // The weights file is read by suggest, and by the replay.
    let first = french_ids()[0].clone();
    let suggested = passerelle(
        &data,
        &[
            "suggest",
            first.as_str(),
            "--weights",
            weights_arg,
            "--date",
            DATE,
            "--format",
            "json",
        ],
    )
    .unwrap();
    assert_eq!(suggested.lines().count(), 10);
    let replayed = passerelle(
        &data,
        &[
            "eval",
            "--decisions",
            "--weights",
            weights_arg,
            "--date",
            DATE,
        ],
    )
    .unwrap();
    let line = replayed
        .lines()
        .find(|l| l.starts_with("poids rejoués"))
        .unwrap();
    assert!(!line.contains("thématique 0,450"), "{line}");
}

#[test]
fn tune_refuses_too_few_decisions_saying_how_many_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    store_sample(&data);
    {
        let corpus = open(&data);
        for id in french_ids().iter().take(5) {
            let best = top(&corpus, id, 1);
            decide(&corpus, id, &best[0], DecisionKind::Accept, None);
        }
    }
    let out = dir.path().join("poids.toml");
    let error = passerelle(
        &data,
        &["tune", "--out", out.to_str().unwrap(), "--date", DATE],
    )
    .unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("au moins 50"), "{message}");
    assert!(
        message.contains("il y en a 5 (5 acceptées, 0 rejetées)"),
        "{message}"
    );
    assert!(!out.exists());
}

#[test]
fn review_lists_mutual_interests_first_and_suggest_says_who_is_interested() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    store_sample(&data);
    let french = french_ids()[3].clone();
    let foreign = {
        let corpus = open(&data);
        let foreign = top(&corpus, &french, 8)[7].clone();
        say(&corpus, &foreign, &french, InterestKind::Interested);
        foreign
    };
    // One side: the French fiche is told, in French.
    let told = passerelle(&data, &["suggest", french.as_str(), "--date", DATE]).unwrap();
    assert!(
        told.contains("s'est déclarée intéressée par un partenariat avec vous"),
        "{told}"
    );

    let said = passerelle(
        &data,
        &[
            "interest",
            french.as_str(),
            foreign.as_str(),
            "interested",
            "--note",
            "vu aux Assises",
        ],
    )
    .unwrap();
    assert!(said.contains("s'est déclarée intéressée par"), "{said}");
    assert!(said.contains("intérêt mutuel"), "{said}");
    let mutual = passerelle(&data, &["review", "--mutual", "--date", DATE]).unwrap();
    assert!(mutual.starts_with("1 intérêts mutuels"), "{mutual}");
    assert!(
        mutual.contains(french.as_str()) && mutual.contains(foreign.as_str()),
        "{mutual}"
    );

    let queue = passerelle(&data, &["review", "--page-size", "5", "--date", DATE]).unwrap();
    let first = queue.lines().nth(1).unwrap();
    assert!(first.contains("[intérêt mutuel"), "{queue}");
    assert!(
        first.contains(french.as_str()) && first.contains(foreign.as_str()),
        "{queue}"
    );
    assert!(
        queue.lines().skip(2).all(|l| !l.contains("intérêt mutuel")),
        "{queue}"
    );

    // "Not interested" removes the candidate from the French fiche's suggestions only.
    say(&open(&data), &french, &foreign, InterestKind::NotInterested);
    let suggested = passerelle(
        &data,
        &["suggest", french.as_str(), "-k", "50", "--date", DATE],
    )
    .unwrap();
    assert!(!suggested.contains(foreign.as_str()), "{suggested}");
    let other_side = passerelle(
        &data,
        &["suggest", foreign.as_str(), "-k", "200", "--date", DATE],
    )
    .unwrap();
    assert!(other_side.contains(french.as_str()), "{other_side}");

    let error = passerelle(&data, &["review", "--region", "99", "--date", DATE]).unwrap_err();
    assert!(format!("{error:#}").contains("--region"), "{error:#}");
}

#[test]
fn freshness_writes_the_fiches_to_contact_in_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    store_sample(&data);
    let mut old = sample_fiches()
        .into_iter()
        .find(|f| f.id.country_prefix() == "BJ")
        .unwrap();
    old.updated_at = Some(Timestamp::parse("2020-01-05T10:00:00Z").unwrap());
    old.contact = Some(Contact {
        name: Some("=HYPERLINK(\"http://x\")".into()),
        email: Some("mairie@example.org".into()),
        ..Contact::default()
    });
    open(&data).upsert(std::slice::from_ref(&old)).unwrap();

    let out = dir.path().join("a-contacter.csv");
    let said = passerelle(
        &data,
        &[
            "freshness",
            "--out",
            out.to_str().unwrap(),
            "--date",
            DATE,
            "--max-age-months",
            "24",
        ],
    )
    .unwrap();
    assert!(said.contains("fiches à contacter écrites dans"), "{said}");
    assert!(
        said.contains("à reconfirmer (mises à jour avant le 2024-09-01"),
        "{said}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.starts_with("id,collectivité,pays,côté,dernière mise à jour,à reconfirmer"),
        "{csv}"
    );
    let row = csv
        .lines()
        .find(|l| l.starts_with(old.id.as_str()))
        .unwrap();
    assert!(row.contains("2020-01-05,oui"), "{row}");
    assert!(row.contains("'=HYPERLINK"), "{row}");
    assert!(row.contains("mairie@example.org"), "{row}");

    // Reconfirmed: no longer to contact.
    let said = passerelle(
        &data,
        &["reconfirm", old.id.as_str(), "--note", "inchangée"],
    )
    .unwrap();
    assert!(said.contains("reconfirmée le"), "{said}");
    let again = [
        "freshness",
        "--out",
        out.to_str().unwrap(),
        "--date",
        DATE,
        "--max-age-months",
        "24",
    ];
    passerelle(&data, &again).unwrap();
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(!csv.contains(old.id.as_str()), "{csv}");

    let error = passerelle(
        &data,
        &[
            "freshness",
            "--out",
            out.to_str().unwrap(),
            "--max-age-months",
            "0",
        ],
    )
    .unwrap_err();
    assert!(
        format!("{error:#}").contains("--max-age-months"),
        "{error:#}"
    );
}

#[test]
fn staff_decide_on_the_command_line_with_a_reason_that_eval_counts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    store_sample(&data);
    let bordeaux = FicheId::parse("FR-COM-33063").unwrap();
    let best = top(&open(&data), &bordeaux, 3);
    let (rejected, accepted) = (&best[0], &best[1]);

    // A misspelt name is corrected and said; the French reason is read.
    let (said, notes) = passerelle_notes(
        &data,
        &[
            "decide",
            "Bordeuax",
            rejected.as_str(),
            "--reject",
            "--reason",
            "déjà partenaires",
            "--note",
            "jumelage déjà signé",
            "--by",
            "agent DCTCIV",
        ],
    )
    .unwrap();
    assert!(
        notes.contains("« Bordeuax » compris comme Bordeaux (FR-COM-33063)"),
        "{notes}"
    );
    assert!(said.contains("rejetée, motif : déjà partenaires"), "{said}");
    // The English code too.
    let said = passerelle(
        &data,
        &[
            "decide",
            bordeaux.as_str(),
            accepted.as_str(),
            "--accept",
            "--reason",
            "theme",
        ],
    )
    .unwrap();
    assert!(said.contains("acceptée, motif : thème"), "{said}");

    // Refused before anything is written: an unknown code (named, the valid ones
    // listed), no decision, a pair given the wrong way round.
    let error = passerelle(
        &data,
        &[
            "decide",
            bordeaux.as_str(),
            accepted.as_str(),
            "--reject",
            "--reason",
            "météo",
        ],
    )
    .unwrap_err();
    let message = format!("{error:#}");
    assert!(message.starts_with("--reason"), "{message}");
    assert!(message.contains("\"météo\""), "{message}");
    assert!(
        message.contains("already_partners (déjà partenaires)")
            && message.contains("political_context (contexte politique)"),
        "{message}"
    );
    assert!(passerelle(&data, &["decide", bordeaux.as_str(), accepted.as_str()]).is_err());
    let error = passerelle(
        &data,
        &["decide", accepted.as_str(), bordeaux.as_str(), "--accept"],
    )
    .unwrap_err();
    assert!(
        format!("{error:#}").contains("n'est pas une collectivité française"),
        "{error:#}"
    );

    let corpus = open(&data);
    let kept = corpus.decisions(&bordeaux, None).unwrap();
    assert_eq!(kept.len(), 2, "{kept:?}");
    let rejection = kept
        .iter()
        .find(|d| d.kind == DecisionKind::Reject)
        .unwrap();
    assert_eq!(rejection.partner_of(&bordeaux), rejected);
    assert_eq!(rejection.reason, Some(DecisionReason::AlreadyPartners));
    assert_eq!(rejection.note, "jumelage déjà signé");
    assert_eq!(rejection.reviewer, "agent DCTCIV");
    assert!(
        !top(&corpus, &bordeaux, 10).contains(rejected),
        "a rejected pair is vetoed"
    );
    drop(corpus);

    let replay = passerelle(&data, &["eval", "--decisions", "--date", DATE]).unwrap();
    let reasons = replay
        .split("Motifs des décisions")
        .nth(1)
        .unwrap_or_else(|| panic!("{replay}"));
    assert!(
        reasons
            .lines()
            .any(|l| l.contains("rejetée") && l.contains("déjà partenaires")),
        "{replay}"
    );
    assert!(
        reasons
            .lines()
            .any(|l| l.contains("acceptée") && l.contains("thème")),
        "{replay}"
    );
}

/// The sample's fiches « à reconfirmer » on `date` with the default limit (12
/// months): last updated before the same day a year earlier, or undated.
pub fn stale_on(date: &str) -> std::collections::HashSet<String> {
    let today: chrono::NaiveDate = date.parse().unwrap();
    let limit = today.checked_sub_months(chrono::Months::new(12)).unwrap();
    sample_fiches()
        .into_iter()
        .filter(|f| {
            f.updated_at
                .as_ref()
                .is_none_or(|t| t.to_datetime().naive_utc().date() < limit)
        })
        .map(|f| f.id.to_string())
        .collect()
}

#[test]
fn batch_files_and_the_fiche_workbook_flag_fiches_to_reconfirm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    store_sample(&data);
    let stale = stale_on(DATE);
    let flag = |id: &str| if stale.contains(id) { "oui" } else { "" };
    let out = dir.path().join("run");
    passerelle(
        &data,
        &[
            "batch",
            "--fr",
            "all",
            "--foreign",
            "country:BJ",
            "-k",
            "3",
            "--assign",
            "1",
            "--date",
            DATE,
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .unwrap();
    for file in ["pairs.csv", "assignment.csv"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(
            text.lines()
                .next()
                .unwrap()
                .ends_with(",score,à reconfirmer (française),à reconfirmer (étrangère)"),
            "{file}"
        );
        let rows = super::assises::csv_rows(&out.join(file));
        let (mut yes, mut no) = (0, 0);
        for row in &rows {
            assert_eq!(row.len(), 7, "{row:?}");
            assert_eq!(row[5], flag(&row[0]), "{file}: {row:?}");
            assert_eq!(row[6], flag(&row[2]), "{file}: {row:?}");
            for cell in &row[5..] {
                if cell == "oui" { yes += 1 } else { no += 1 }
            }
        }
        assert!(yes > 0 && no > 0, "{file}: {yes} flagged, {no} not");
    }

    // The fiche workbook: every field, then the flag judged on --date.
    let book = dir.path().join("fiches.xlsx");
    for date in [DATE, "2031-01-01"] {
        passerelle(
            &data,
            &["export", "--out", book.to_str().unwrap(), "--date", date],
        )
        .unwrap();
        let stale = stale_on(date);
        let mut workbook = calamine::open_workbook_auto(&book).unwrap();
        use calamine::Reader;
        let range = workbook
            .worksheet_range(passerelle_engine::sheets::FICHES_SHEET)
            .unwrap();
        let mut rows = range.rows();
        let header = rows.next().unwrap();
        assert_eq!(
            header.last().unwrap().to_string(),
            passerelle_engine::sheets::STALE_HEADER
        );
        let mut flagged = 0;
        for row in rows {
            let id = row[0].to_string();
            let expected = if stale.contains(&id) { "oui" } else { "" };
            assert_eq!(row.last().unwrap().to_string(), expected, "{date} {id}");
            flagged += usize::from(!expected.is_empty());
        }
        assert_eq!(flagged, stale.len(), "{date}");
    }
    assert_eq!(stale_on("2031-01-01").len(), sample_fiches().len());
    // JSON Lines stay the exchange format, whatever the date: the sample, as stored.
    let lines = dir.path().join("fiches.jsonl");
    passerelle(
        &data,
        &["export", "--out", lines.to_str().unwrap(), "--date", DATE],
    )
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(&lines).unwrap(),
        std::fs::read_to_string(passerelle_tests::sample_path()).unwrap()
    );
}
