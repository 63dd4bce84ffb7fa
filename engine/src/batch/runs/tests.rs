use std::ops::ControlFlow;

use chrono::{NaiveDate, Utc};

use super::*;
use crate::batch::{self, AgendaSpec, BatchSpec, ExcludedPair, Member, Scope};
use crate::text::fixtures::corpus;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()
}

fn store_with_corpus() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.upsert(&corpus()).unwrap();
    (dir, store)
}

fn spec() -> BatchSpec {
    let mut spec = BatchSpec::new(Scope::All, Scope::All);
    spec.k = 3;
    spec.foreign_capacity = 2;
    spec
}

fn go(_: batch::RunProgress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

fn run(store: &mut Store, spec: &BatchSpec) -> BatchRun {
    let run = store
        .create_batch_run(spec, today(), "test", Utc::now())
        .unwrap();
    assert_eq!(run.status, RunStatus::Queued);
    batch::execute(store, run.id, 2, &go).unwrap()
}

#[test]
fn a_run_is_recorded_with_its_results_and_replays_the_same() {
    let (_dir, mut store) = store_with_corpus();
    let mut spec = spec();
    spec.agenda = Some(AgendaSpec {
        slots: vec![batch::agenda::Slot {
            label: "S1".into(),
            start: batch::agenda::parse_time("2026-12-03T09:00").unwrap(),
            end: batch::agenda::parse_time("2026-12-03T09:30").unwrap(),
        }],
        tables: 2,
    });
    let first = run(&mut store, &spec);
    assert_eq!(first.status, RunStatus::Done, "{first:?}");
    assert_eq!(first.generation, Some(store.generation().unwrap()));
    assert_eq!(first.spec, spec);
    assert_eq!(first.today, today());
    assert!(first.pairs_total > 0 && first.pairs_scored == first.pairs_total);
    assert!(first.started_at.is_some() && first.finished_at.is_some());
    let results = store.batch_results(first.id).unwrap();
    let summary = first.summary.unwrap();
    assert!(!results.result.scored.is_empty());
    assert_eq!(summary.scored as usize, results.result.scored.len());
    assert_eq!(summary.assigned as usize, results.result.assigned.len());
    assert_eq!(summary.total, results.result.total);
    let plan = results.agenda.as_ref().unwrap();
    assert_eq!(
        plan.rows.len() + plan.unplaced.len(),
        results.result.assigned.len()
    );
    assert!(plan.rows.len() <= 2, "two tables, one slot");

    let second = run(&mut store, &spec);
    assert_ne!(second.id, first.id);
    assert_eq!(store.batch_results(second.id).unwrap(), results);
    let listed: Vec<RunId> = store.batch_runs(10).unwrap().iter().map(|r| r.id).collect();
    assert_eq!(listed, vec![second.id, first.id]);
}

#[test]
fn exclusions_leave_fiches_and_pairs_out() {
    let (_dir, mut store) = store_with_corpus();
    let id = run(&mut store, &spec()).id;
    let all = store.batch_results(id).unwrap();
    let best = all.result.scored[0].clone();
    let other = all
        .result
        .scored
        .iter()
        .find(|p| p.french != best.french && p.foreign != best.foreign)
        .cloned()
        .unwrap();
    let mut spec = spec();
    spec.exclude_pairs = vec![ExcludedPair {
        french: Member::Id(best.french.clone()),
        foreign: Member::Id(best.foreign.clone()),
    }];
    spec.exclude = vec![Member::Id(other.foreign.clone())];
    let id = run(&mut store, &spec).id;
    let results = store.batch_results(id).unwrap();
    for pair in &results.result.scored {
        assert!(!(pair.french == best.french && pair.foreign == best.foreign));
        assert_ne!(pair.foreign, other.foreign);
    }
    assert_eq!(results.result.foreign_count + 1, all.result.foreign_count);
}

#[test]
fn cancelled_and_failed_runs_have_no_results() {
    let (_dir, mut store) = store_with_corpus();
    let queued = store
        .create_batch_run(&spec(), today(), "test", Utc::now())
        .unwrap();
    assert_eq!(
        store.cancel_batch_run(queued.id, Utc::now()).unwrap(),
        RunStatus::Cancelled
    );
    assert!(matches!(
        store.cancel_batch_run(queued.id, Utc::now()),
        Err(Error::RunFinished { .. })
    ));
    // A cancelled run is not started.
    let after = batch::execute(&mut store, queued.id, 1, &go).unwrap();
    assert_eq!(after.status, RunStatus::Cancelled);
    assert!(after.started_at.is_none());
    assert!(matches!(
        store.batch_results(queued.id),
        Err(Error::RunNotDone { .. })
    ));

    // Cancelled from the progress callback.
    let run = store
        .create_batch_run(&spec(), today(), "test", Utc::now())
        .unwrap();
    let stop = |_: batch::RunProgress| ControlFlow::Break(());
    let after = batch::execute(&mut store, run.id, 1, &stop).unwrap();
    assert_eq!(after.status, RunStatus::Cancelled);
    assert!(after.summary.is_none());
    let pairs: i64 = store
        .connection
        .query_row("SELECT COUNT(*) FROM batch_pairs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(pairs, 0, "nothing of a cancelled run is written");

    // A store that cannot be read fails the run, with the error's message.
    store
        .connection
        .execute(
            "UPDATE fiches SET body = '{}' WHERE id = 'FR-COM-42218'",
            [],
        )
        .unwrap();
    let failed = run_failing(&mut store, &spec());
    match failed.status {
        RunStatus::Failed(message) => assert!(message.contains("FR-COM-42218"), "{message}"),
        other => panic!("{other:?}"),
    }

    assert!(matches!(
        store.batch_run(RunId::new(999)),
        Err(Error::NoSuchRun(_))
    ));
}

fn run_failing(store: &mut Store, spec: &BatchSpec) -> BatchRun {
    let run = store
        .create_batch_run(spec, today(), "test", Utc::now())
        .unwrap();
    batch::execute(store, run.id, 1, &go).unwrap()
}

#[test]
fn a_cancel_request_reaches_a_running_run_through_the_store() {
    let (_dir, mut store) = store_with_corpus();
    let run = store
        .create_batch_run(&spec(), today(), "cli", Utc::now())
        .unwrap();
    assert!(store.start_batch_run(run.id, Utc::now()).unwrap());
    assert!(!store.start_batch_run(run.id, Utc::now()).unwrap());
    assert_eq!(
        store.set_batch_progress(run.id, 5).unwrap(),
        ControlFlow::Continue(())
    );
    assert_eq!(
        store.cancel_batch_run(run.id, Utc::now()).unwrap(),
        RunStatus::Running
    );
    assert_eq!(
        store.set_batch_progress(run.id, 6).unwrap(),
        ControlFlow::Break(())
    );
    assert!(
        store
            .finish_batch_run(run.id, RunOutcome::Cancelled, 6, Utc::now())
            .unwrap()
    );
    assert_eq!(store.batch_run(run.id).unwrap().pairs_scored, 6);
}

#[test]
fn runs_left_by_a_stopped_process_are_failed_as_interrupted() {
    let (_dir, mut store) = store_with_corpus();
    let queued = store
        .create_batch_run(&spec(), today(), "test", Utc::now())
        .unwrap();
    let running = store
        .create_batch_run(&spec(), today(), "test", Utc::now())
        .unwrap();
    store.start_batch_run(running.id, Utc::now()).unwrap();
    let done = run(&mut store, &spec());
    assert_eq!(store.fail_interrupted_batch_runs(Utc::now()).unwrap(), 2);
    for id in [queued.id, running.id] {
        match store.batch_run(id).unwrap().status {
            RunStatus::Failed(message) => assert!(message.contains("interrupted")),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(store.batch_run(done.id).unwrap().status, RunStatus::Done);
    // The interrupted run's late results are refused whole.
    let participant = |id: &str| batch::Participant {
        id: crate::fiche::FicheId::parse(id).unwrap(),
        name: id.to_owned(),
    };
    let output = batch::RunOutput {
        participants: batch::Participants {
            french: vec![participant("FR-COM-42218")],
            foreign: vec![participant("BJ-COM-0101")],
            skipped: Vec::new(),
        },
        scored: vec![batch::Edge {
            french: 0,
            foreign: 0,
            score: 0.5,
        }],
        assigned: vec![0],
        total: 0.5,
        unassigned: Vec::new(),
        agenda: None,
        mutual: Vec::new(),
        mutual_assigned: 0,
    };
    assert!(matches!(
        store.write_batch_results(running.id, &output, &mut |_, _| ControlFlow::Continue(())),
        Err(Error::Cancelled)
    ));
    assert!(
        !store
            .finish_batch_run(running.id, RunOutcome::Done(&output), 1, Utc::now())
            .unwrap()
    );
    assert_eq!(store.batch_run(running.id).unwrap().summary, None);
    assert_eq!(result_rows(&store, running.id), 0);
}

/// Result rows of a run, in all four tables.
fn result_rows(store: &Store, id: RunId) -> i64 {
    [
        "batch_fiches",
        "batch_pairs",
        "batch_unassigned",
        "batch_agenda",
    ]
    .iter()
    .map(|table| -> i64 {
        store
            .connection
            .query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE run_id = ?1"),
                [id.get() as i64],
                |r| r.get(0),
            )
            .unwrap()
    })
    .sum()
}

fn foreign_keys_checked(store: &Store) -> bool {
    let on: i64 = (store.connection)
        .pragma_query_value(None, "foreign_keys", |row| row.get(0))
        .unwrap();
    on == 1
}

#[test]
fn every_phase_reports_progress_in_order_and_can_be_cancelled() {
    use std::sync::Mutex;
    let (_dir, mut store) = store_with_corpus();
    let seen = Mutex::new(Vec::new());
    let record = |p: batch::RunProgress| {
        seen.lock().unwrap().push(p);
        ControlFlow::Continue(())
    };
    let first = store
        .create_batch_run(&spec(), today(), "test", Utc::now())
        .unwrap();
    let done = batch::execute(&mut store, first.id, 2, &record).unwrap();
    assert_eq!(done.status, RunStatus::Done);
    let seen = seen.into_inner().unwrap();
    let phases: Vec<batch::Phase> = seen.iter().map(|p| p.phase).collect();
    assert!(phases.is_sorted(), "{phases:?}");
    for phase in [
        batch::Phase::Snapshot,
        batch::Phase::Scoring,
        batch::Phase::Pairing,
        batch::Phase::Writing,
    ] {
        assert!(phases.contains(&phase), "{phase:?} in {phases:?}");
    }
    let last = seen.last().unwrap();
    assert_eq!((last.done, last.scored), (last.size, last.total));
    let rows = result_rows(&store, done.id);
    assert_eq!(last.size as i64, rows);
    // The results are written without checking their foreign key row by row:
    // checked again once they are.
    assert!(foreign_keys_checked(&store));

    // A Break at the first report of each phase cancels the run there, and nothing
    // of it is left in the store.
    for phase in [
        batch::Phase::Snapshot,
        batch::Phase::Scoring,
        batch::Phase::Pairing,
        batch::Phase::Writing,
    ] {
        let run = store
            .create_batch_run(&spec(), today(), "test", Utc::now())
            .unwrap();
        let reached = Mutex::new(None);
        let stop = |p: batch::RunProgress| {
            reached.lock().unwrap().get_or_insert(p.phase);
            if p.phase == phase {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let after = batch::execute(&mut store, run.id, 2, &stop).unwrap();
        assert_eq!(after.status, RunStatus::Cancelled, "{phase:?}");
        assert_eq!(result_rows(&store, run.id), 0, "{phase:?}");
        assert!(reached.into_inner().unwrap().is_some());
        assert!(foreign_keys_checked(&store), "{phase:?}");
    }
}

#[test]
fn unresolved_or_invalid_specs_are_not_recorded() {
    let (_dir, mut store) = store_with_corpus();
    let mut named = spec();
    named.french = Scope::parse("ids:Lyon").unwrap();
    assert!(matches!(
        store.create_batch_run(&named, today(), "test", Utc::now()),
        Err(Error::InvalidSpec(_))
    ));
    let mut bad = spec();
    bad.k = 0;
    match store.create_batch_run(&bad, today(), "test", Utc::now()) {
        Err(Error::InvalidSpec(field)) => assert_eq!(field.field, "k"),
        other => panic!("{other:?}"),
    }
    assert!(store.batch_runs(10).unwrap().is_empty());
}

#[test]
fn a_streamed_run_gives_its_sink_exactly_what_the_store_gives_back() {
    let (_dir, mut store) = store_with_corpus();
    let mut spec = spec();
    spec.agenda = Some(AgendaSpec {
        slots: vec![batch::agenda::Slot {
            label: "S1".into(),
            start: batch::agenda::parse_time("2026-12-03T09:00").unwrap(),
            end: batch::agenda::parse_time("2026-12-03T09:30").unwrap(),
        }],
        tables: 1,
    });
    let run = store
        .create_batch_run(&spec, today(), "test", Utc::now())
        .unwrap();
    let mut streamed = Vec::new();
    let sink = Box::new(|item: ResultItem| {
        streamed.push(item);
        ControlFlow::Continue(())
    });
    let done = batch::execute_streaming(&mut store, run.id, 2, &go, Some(sink)).unwrap();
    assert_eq!(done.status, RunStatus::Done);
    let mut stored = Vec::new();
    store
        .visit_batch_results(run.id, &mut |item| {
            stored.push(item);
            ControlFlow::Continue(())
        })
        .unwrap();
    assert!(stored.iter().any(|i| matches!(i, ResultItem::Agenda(_))));
    assert!(stored.iter().any(|i| matches!(i, ResultItem::Unplaced(_))));
    assert_eq!(streamed, stored);
}

fn say(store: &mut Store, fiche: &str, candidate: &str, kind: crate::store::InterestKind) {
    store
        .record_interest(&crate::store::NewInterest {
            fiche: crate::fiche::FicheId::parse(fiche).unwrap(),
            candidate: crate::fiche::FicheId::parse(candidate).unwrap(),
            kind,
            note: String::new(),
            actor: "test".into(),
            at: Utc::now(),
        })
        .unwrap();
}

fn results(store: &mut Store, spec: &BatchSpec) -> batch::BatchResult {
    let id = run(store, spec).id;
    store.batch_results(id).unwrap().result
}

fn has(pairs: &[batch::BatchPair], french: &str, foreign: &str) -> bool {
    pairs
        .iter()
        .any(|p| p.french.as_str() == french && p.foreign.as_str() == foreign)
}

#[test]
fn interests_exclude_declined_pairs_and_can_require_mutual_ones() {
    use crate::store::InterestKind::{Interested, NotInterested};
    let (_dir, mut store) = store_with_corpus();
    let mut spec = spec();
    spec.foreign_capacity = 1;
    let plain = results(&mut store, &spec);
    // A pair staff would have assigned, declined by its foreign side.
    let declined = plain.assigned[0].clone();
    say(
        &mut store,
        declined.foreign.as_str(),
        declined.french.as_str(),
        NotInterested,
    );
    let after = results(&mut store, &spec);
    let (f, x) = (declined.french.as_str(), declined.foreign.as_str());
    assert!(!has(&after.scored, f, x) && !has(&after.assigned, f, x));

    // A pair of mutual interest the pairing left out: required, it is assigned.
    let left_out = after
        .scored
        .iter()
        .find(|p| !has(&after.assigned, p.french.as_str(), p.foreign.as_str()))
        .expect("a pair left out")
        .clone();
    let (f, x) = (left_out.french.as_str(), left_out.foreign.as_str());
    say(&mut store, f, x, Interested);
    say(&mut store, x, f, Interested);
    let optional = results(&mut store, &spec);
    assert!(!has(&optional.assigned, f, x), "not required: by score");
    spec.require_mutual = true;
    for pairing in [batch::Pairing::Optimal, batch::Pairing::Stable] {
        spec.pairing = pairing;
        let required = results(&mut store, &spec);
        assert!(has(&required.assigned, f, x), "{pairing:?}: {required:?}");
        // Scores reported are the pairs' own.
        let pair = required
            .assigned
            .iter()
            .find(|p| p.french.as_str() == f && p.foreign.as_str() == x)
            .unwrap();
        assert_eq!(pair.total, left_out.total);
    }
}

#[test]
fn the_pairs_a_version_6_store_kept_are_numbered_and_read_back_the_same() {
    let (dir, mut store) = store_with_corpus();
    let mut with_agenda = spec();
    with_agenda.agenda = Some(AgendaSpec {
        slots: vec![batch::agenda::Slot {
            label: "S1".into(),
            start: batch::agenda::parse_time("2026-12-03T09:00").unwrap(),
            end: batch::agenda::parse_time("2026-12-03T09:30").unwrap(),
        }],
        tables: 1,
    });
    let runs = [run(&mut store, &spec()), run(&mut store, &with_agenda)];
    let before: Vec<RunResults> = runs
        .iter()
        .map(|r| store.batch_results(r.id).unwrap())
        .collect();
    let unplaced = &before[1].agenda.as_ref().unwrap().unplaced;
    assert!(!unplaced.is_empty() && !before[0].result.assigned.is_empty());

    // The pairs as version 6 kept them: ids and names in every row.
    store
        .connection
        .execute_batch(
            "DROP TABLE batch_pairs;
             DROP TABLE batch_fiches;
             CREATE TABLE batch_pairs (
                run_id       INTEGER NOT NULL REFERENCES batch_runs (id),
                list         TEXT NOT NULL CHECK (list IN ('scored', 'assigned', 'unplaced')),
                rank         INTEGER NOT NULL,
                french_id    TEXT NOT NULL,
                french_name  TEXT NOT NULL,
                foreign_id   TEXT NOT NULL,
                foreign_name TEXT NOT NULL,
                score        REAL NOT NULL,
                PRIMARY KEY (run_id, list, rank)
             ) WITHOUT ROWID;",
        )
        .unwrap();
    for (run, results) in runs.iter().zip(&before) {
        let no_agenda = Vec::new();
        let unplaced = results.agenda.as_ref().map_or(&no_agenda, |a| &a.unplaced);
        let lists = [
            ("scored", &results.result.scored),
            ("assigned", &results.result.assigned),
            ("unplaced", unplaced),
        ];
        for (list, pairs) in lists {
            for (rank, p) in pairs.iter().enumerate() {
                store
                    .connection
                    .execute(
                        "INSERT INTO batch_pairs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        rusqlite::params![
                            run.id.get() as i64,
                            list,
                            rank as i64,
                            p.french.as_str(),
                            p.french_name,
                            p.foreign.as_str(),
                            p.foreign_name,
                            p.total
                        ],
                    )
                    .unwrap();
            }
        }
    }
    store
        .connection
        .pragma_update(None, "user_version", 6)
        .unwrap();
    drop(store);

    let store = Store::open(dir.path()).unwrap();
    for (run, results) in runs.iter().zip(&before) {
        assert_eq!(&store.batch_results(run.id).unwrap(), results);
    }
    // Numbered 0..n per run, each fiche once.
    let (fiches, distinct, top): (i64, i64, i64) = store
        .connection
        .query_row(
            "SELECT COUNT(*), COUNT(DISTINCT fiche_id), MAX(number) FROM batch_fiches
             WHERE run_id = ?1",
            [runs[0].id.get() as i64],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((distinct, top), (fiches, fiches - 1));
}
