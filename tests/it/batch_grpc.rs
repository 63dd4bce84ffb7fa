//! Batch runs over gRPC (`BatchService`), end to end on the committed sample: start,
//! watch to completion, read the results and check them (capacities, exclusions,
//! names, staff rejections), cancel a queued run, roles, field errors, identical
//! results for the same spec, and runs that survive a restart.

use std::collections::HashMap;
use std::sync::Arc;

use passerelle::server::{self, ServerConfig, State, StateOptions};
use passerelle_proto::v1 as pb;
use pb::batch_service_client::BatchServiceClient;
use pb::review_service_client::ReviewServiceClient;
use tokio::sync::oneshot;
use tonic::Code;
use tonic::transport::Channel;

use super::grpc::{Authed, PORTAL, STAFF, bearer, field_of, tokens};

struct BatchServer {
    channel: Channel,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    dir: tempfile::TempDir,
}

impl BatchServer {
    /// A server on a fresh copy of the sample.
    async fn sample() -> BatchServer {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_owned();
        tokio::task::spawn_blocking(move || passerelle_tests::store_sample(&path))
            .await
            .unwrap();
        BatchServer::on(dir).await
    }

    async fn on(dir: tempfile::TempDir) -> BatchServer {
        let path = dir.path().to_owned();
        let state = tokio::task::spawn_blocking(move || {
            let options = StateOptions {
                today: Some("2026-09-01".parse().unwrap()),
                threads: 2,
                writer: None,
                ..StateOptions::default()
            };
            Arc::new(State::load(&path, &options).unwrap())
        })
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let config = ServerConfig::new(tokens());
        let task = tokio::spawn(server::serve(listener, state.clone(), config, async {
            let _ = rx.await;
        }));
        let channel = Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        BatchServer {
            channel,
            state,
            shutdown: Some(tx),
            task,
            dir,
        }
    }

    fn batches(&self, token: &'static str) -> BatchServiceClient<Authed> {
        BatchServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    fn reviews(&self) -> ReviewServiceClient<Authed> {
        ReviewServiceClient::with_interceptor(self.channel.clone(), bearer(STAFF))
    }

    async fn stop(mut self) -> tempfile::TempDir {
        self.shutdown.take().unwrap().send(()).unwrap();
        self.task.await.unwrap().unwrap();
        self.dir
    }

    async fn start(&self, spec: pb::BatchSpec) -> Result<pb::BatchRun, tonic::Status> {
        let request = pb::StartBatchRequest { spec: Some(spec) };
        let response = self.batches(STAFF).start_batch(request).await?;
        Ok(response.into_inner().run.unwrap())
    }

    /// Every progress message of a run, to the end of the stream.
    async fn watch(&self, run_id: u64) -> Vec<pb::BatchProgress> {
        let request = pb::WatchBatchRequest { run_id };
        let mut stream = self
            .batches(STAFF)
            .watch_batch(request)
            .await
            .unwrap()
            .into_inner();
        let mut seen = Vec::new();
        while let Some(progress) = stream.message().await.unwrap() {
            seen.push(progress);
        }
        seen
    }

    async fn results(&self, run_id: u64) -> Result<Results, tonic::Status> {
        let request = pb::GetBatchResultsRequest { run_id };
        let mut stream = self
            .batches(STAFF)
            .get_batch_results(request)
            .await?
            .into_inner();
        let mut results = Results::default();
        while let Some(chunk) = stream.message().await? {
            if let Some(run) = chunk.run {
                results.run = Some(run);
            }
            results.scored.extend(chunk.scored);
            results.assigned.extend(chunk.assigned);
            results.unassigned.extend(chunk.unassigned);
            results.agenda.extend(chunk.agenda);
            results.unplaced.extend(chunk.unplaced);
        }
        Ok(results)
    }

    /// Starts a run, watches it to its end (DONE) and reads its results.
    async fn run(&self, spec: pb::BatchSpec) -> Results {
        let run = self.start(spec).await.unwrap();
        let progress = self.watch(run.run_id).await;
        let last = progress.last().unwrap();
        assert_eq!(last.status(), pb::BatchStatus::Done, "{last:?}");
        assert_eq!(last.pairs_scored, last.total_pairs);
        for pair in progress.windows(2) {
            assert!(pair[0].pairs_scored <= pair[1].pairs_scored, "{progress:?}");
        }
        self.results(run.run_id).await.unwrap()
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Results {
    run: Option<pb::BatchRun>,
    scored: Vec<pb::BatchPair>,
    assigned: Vec<pb::BatchPair>,
    unassigned: Vec<pb::UnassignedFiche>,
    agenda: Vec<pb::AgendaEntry>,
    unplaced: Vec<pb::BatchPair>,
}

impl Results {
    /// The results without the run's record (id, times).
    fn content(&self) -> Results {
        Results {
            run: None,
            ..self.clone()
        }
    }
}

fn benin_spec() -> pb::BatchSpec {
    pb::BatchSpec {
        french: "all".into(),
        foreign: "country:BJ".into(),
        k: 5,
        french_capacity: 3,
        foreign_capacity: 1,
        ..Default::default()
    }
}

fn slots() -> pb::BatchAgenda {
    let slot = |label: &str, start: &str, end: &str| pb::BatchSlot {
        label: label.into(),
        start: format!("2026-12-03T{start}"),
        end: format!("2026-12-03T{end}"),
    };
    pb::BatchAgenda {
        slots: vec![
            slot("A", "09:00", "09:30"),
            slot("B", "09:30", "10:00"),
            slot("C", "10:00", "10:30"),
        ],
        tables: 10,
    }
}

fn has_pair(pairs: &[pb::BatchPair], french: &str, foreign: &str) -> bool {
    pairs
        .iter()
        .any(|p| p.french_id == french && p.foreign_id == foreign)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_respects_capacities_exclusions_names_and_rejections() {
    let server = BatchServer::sample().await;
    let mut spec = benin_spec();
    spec.agenda = Some(slots());
    let plain = server.run(spec.clone()).await;
    let summary = plain.run.as_ref().unwrap().summary.unwrap();
    assert_eq!(summary.foreign_count, 77);
    assert!(summary.french_count > 50);
    assert_eq!(summary.scored as usize, plain.scored.len());
    assert_eq!(summary.assigned as usize, plain.assigned.len());
    assert!(!plain.assigned.is_empty());
    // Fiches « à reconfirmer » on the server's date are flagged, as in pairs.csv.
    let stale = super::cli_learning::stale_on("2026-09-01");
    let agenda_pairs = plain.agenda.iter().map(|e| e.pair.as_ref().unwrap());
    let all: Vec<&pb::BatchPair> = plain
        .scored
        .iter()
        .chain(&plain.assigned)
        .chain(agenda_pairs)
        .collect();
    assert!(!plain.agenda.is_empty());
    for pair in &all {
        assert_eq!(
            pair.french_stale,
            stale.contains(&pair.french_id),
            "{pair:?}"
        );
        assert_eq!(
            pair.foreign_stale,
            stale.contains(&pair.foreign_id),
            "{pair:?}"
        );
    }
    assert!(all.iter().any(|p| p.french_stale || p.foreign_stale));
    assert!(all.iter().any(|p| !p.french_stale && !p.foreign_stale));
    let mut per_french: HashMap<&str, usize> = HashMap::new();
    let mut per_foreign: HashMap<&str, usize> = HashMap::new();
    for pair in &plain.assigned {
        *per_french.entry(&pair.french_id).or_default() += 1;
        *per_foreign.entry(&pair.foreign_id).or_default() += 1;
        assert!(has_pair(&plain.scored, &pair.french_id, &pair.foreign_id));
    }
    assert!(per_french.values().all(|&n| n <= 3), "{per_french:?}");
    assert!(per_foreign.values().all(|&n| n <= 1), "{per_foreign:?}");
    // The agenda: 3 slots × 10 tables, nobody twice in a slot.
    assert_eq!(
        plain.agenda.len() + plain.unplaced.len(),
        plain.assigned.len()
    );
    for a in &plain.agenda {
        for b in &plain.agenda {
            let (pa, pb) = (a.pair.as_ref().unwrap(), b.pair.as_ref().unwrap());
            if a.slot == b.slot && (a.table != b.table) {
                assert_ne!(pa.french_id, pb.french_id);
                assert_ne!(pa.foreign_id, pb.foreign_id);
            }
        }
    }

    // Exclude the best assigned pair (by ids), the foreign fiche of the second (by
    // name), and reject the third through a staff decision.
    let best = &plain.assigned[0];
    let second = &plain.assigned[1];
    let third = &plain.assigned[2];
    let reject = pb::RecordDecisionRequest {
        fiche_a: third.french_id.clone(),
        fiche_b: third.foreign_id.clone(),
        kind: pb::DecisionKind::Reject as i32,
        ..Default::default()
    };
    server.reviews().record_decision(reject).await.unwrap();
    let mut spec = benin_spec();
    spec.exclude = vec![second.foreign_name.clone()];
    spec.exclude_pairs = vec![pb::ExcludedPair {
        french: best.french_id.clone(),
        foreign: best.foreign_name.clone(),
    }];
    let excluded = server.run(spec).await;
    let recorded = excluded.run.as_ref().unwrap().spec.clone().unwrap();
    assert_eq!(
        recorded.exclude,
        vec![second.foreign_id.clone()],
        "names resolved"
    );
    assert_eq!(recorded.exclude_pairs[0].foreign, best.foreign_id);
    assert!(!has_pair(
        &excluded.scored,
        &best.french_id,
        &best.foreign_id
    ));
    assert!(!has_pair(
        &excluded.scored,
        &third.french_id,
        &third.foreign_id
    ));
    assert!(
        excluded
            .scored
            .iter()
            .all(|p| p.foreign_id != second.foreign_id)
    );
    assert_eq!(excluded.run.unwrap().summary.unwrap().foreign_count, 76);

    // A name in a scope resolves among that side's fiches.
    let mut named = benin_spec();
    named.french = "ids:Marseille,FR-COM-31555".into();
    let two = server.run(named).await;
    let run = two.run.unwrap();
    assert_eq!(run.spec.unwrap().french, "ids:FR-COM-13055,FR-COM-31555");
    assert_eq!(run.summary.unwrap().french_count, 2);
    assert!(
        two.scored
            .iter()
            .all(|p| ["FR-COM-13055", "FR-COM-31555"].contains(&p.french_id.as_str()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_spec_same_results_and_runs_survive_a_restart() {
    let server = BatchServer::sample().await;
    let mut spec = benin_spec();
    spec.agenda = Some(slots());
    spec.pairing = pb::BatchPairing::Stable as i32;
    let first = server.run(spec.clone()).await;
    let second = server.run(spec).await;
    let (a, b) = (first.run.clone().unwrap(), second.run.clone().unwrap());
    assert_ne!(a.run_id, b.run_id);
    assert_eq!(first.content(), second.content());
    assert_eq!(a.generation, b.generation);
    assert_eq!(a.spec, b.spec);

    let dir = server.stop().await;
    let server = BatchServer::on(dir).await;
    let again = server.results(a.run_id).await.unwrap();
    assert_eq!(again.content(), first.content());
    let request = pb::GetBatchRequest { run_id: b.run_id };
    let run = server
        .batches(STAFF)
        .get_batch(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(run.status(), pb::BatchStatus::Done);
    assert_eq!(run.origin, "dctciv");
    let listed = server
        .batches(STAFF)
        .list_batches(pb::ListBatchesRequest { limit: 10 })
        .await
        .unwrap()
        .into_inner()
        .runs;
    let ids: Vec<u64> = listed.iter().map(|r| r.run_id).collect();
    assert_eq!(ids, vec![b.run_id, a.run_id]);
    // A finished run's progress is its final status, at once.
    let progress = server.watch(a.run_id).await;
    assert_eq!(progress.len(), 1);
    assert_eq!(progress[0].status(), pb::BatchStatus::Done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_run_is_cancelled_and_an_interrupted_one_is_failed() {
    let server = BatchServer::sample().await;
    // While the run slot is held, runs stay queued: no timing involved.
    let hold = server.state.batches().hold().await;
    let run = server.start(benin_spec()).await.unwrap();
    assert_eq!(run.status(), pb::BatchStatus::Queued);
    let mut client = server.batches(STAFF);
    let request = pb::WatchBatchRequest { run_id: run.run_id };
    let mut watch = client.watch_batch(request).await.unwrap().into_inner();
    let first = watch.message().await.unwrap().unwrap();
    assert_eq!(first.status(), pb::BatchStatus::Queued);

    let cancel = pb::CancelBatchRequest { run_id: run.run_id };
    let response = client.cancel_batch(cancel).await.unwrap().into_inner();
    assert_eq!(response.status(), pb::BatchStatus::Cancelled);
    let mut last = first;
    while let Some(progress) = watch.message().await.unwrap() {
        last = progress;
    }
    assert_eq!(last.status(), pb::BatchStatus::Cancelled);
    let error = client.cancel_batch(cancel).await.unwrap_err();
    assert_eq!(error.code(), Code::FailedPrecondition);
    let error = server.results(run.run_id).await.unwrap_err();
    assert_eq!(error.code(), Code::FailedPrecondition, "{error:?}");

    // Released, the queue moves on.
    drop(hold);
    let done = server.run(benin_spec()).await;
    assert!(!done.assigned.is_empty());

    // A run still queued when the server stops is failed at the next start. (The
    // stopped server's queue stays held: its run must not start after the test.)
    std::mem::forget(server.state.batches().hold().await);
    let stranded = server.start(benin_spec()).await.unwrap();
    let dir = server.stop().await;
    let server = BatchServer::on(dir).await;
    let request = pb::GetBatchRequest {
        run_id: stranded.run_id,
    };
    let run = server
        .batches(STAFF)
        .get_batch(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(run.status(), pb::BatchStatus::Failed);
    assert!(run.message.contains("interrupted"), "{}", run.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_is_denied_and_bad_specs_name_the_field() {
    let server = BatchServer::sample().await;
    let request = pb::StartBatchRequest {
        spec: Some(benin_spec()),
    };
    let error = server
        .batches(PORTAL)
        .start_batch(request)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::PermissionDenied);
    let error = server
        .batches(PORTAL)
        .list_batches(pb::ListBatchesRequest::default())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::PermissionDenied);

    let bad = |change: &dyn Fn(&mut pb::BatchSpec)| {
        let mut spec = benin_spec();
        change(&mut spec);
        spec
    };
    let cases: Vec<(pb::BatchSpec, Code, &str)> = vec![
        (bad(&|s| s.k = 5000), Code::InvalidArgument, "spec.k"),
        (
            bad(&|s| s.min_score = 2.0),
            Code::InvalidArgument,
            "spec.min_score",
        ),
        (
            bad(&|s| s.french_capacity = 5000),
            Code::InvalidArgument,
            "spec.french_capacity",
        ),
        (
            bad(&|s| {
                s.weights = Some(pb::Weights {
                    thematic: Some(-1.0),
                    ..Default::default()
                })
            }),
            Code::InvalidArgument,
            "spec.weights.thematic",
        ),
        (
            bad(&|s| s.french = "planet:mars".into()),
            Code::InvalidArgument,
            "spec.french",
        ),
        (
            bad(&|s| s.foreign = String::new()),
            Code::InvalidArgument,
            "spec.foreign",
        ),
        (
            bad(&|s| {
                let mut agenda = slots();
                agenda.slots[1].start = "tomorrow".into();
                s.agenda = Some(agenda);
            }),
            Code::InvalidArgument,
            "spec.agenda.slots[1].start",
        ),
        // A Beninese commune is not in the French side.
        (
            bad(&|s| s.french = "ids:Boukombé".into()),
            Code::InvalidArgument,
            "spec.french",
        ),
        (
            bad(&|s| s.exclude = vec!["Nowhere-sur-Rien".into()]),
            Code::InvalidArgument,
            "spec.exclude[0]",
        ),
        (
            bad(&|s| {
                s.exclude_pairs = vec![pb::ExcludedPair {
                    french: "FR-COM-13055".into(),
                    foreign: "FR-COM-31555".into(),
                }]
            }),
            Code::InvalidArgument,
            "spec.exclude_pairs[0].foreign",
        ),
    ];
    for (spec, code, field) in cases {
        let error = server.start(spec).await.unwrap_err();
        assert_eq!(error.code(), code, "{field}: {error:?}");
        assert_eq!(field_of(&error), field, "{error:?}");
        assert!(error.message().contains(field), "{error:?}");
    }
    // Every problem of a spec is reported at once, each naming its field.
    let error = server
        .start(bad(&|s| {
            s.k = 5000;
            s.french = "departement:333".into();
            s.exclude = vec!["Nowhere-sur-Rien".into()];
        }))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument, "{error:?}");
    for field in ["spec.k", "spec.french", "spec.exclude[0]"] {
        assert!(error.message().contains(field), "{field}: {error:?}");
    }
    assert!(
        error.message().contains("départements proches"),
        "{error:?}"
    );
    let error = server
        .batches(STAFF)
        .start_batch(pb::StartBatchRequest { spec: None })
        .await
        .unwrap_err();
    assert_eq!(field_of(&error), "spec");

    // Nothing was recorded, and unknown runs are not found.
    let runs = server
        .batches(STAFF)
        .list_batches(pb::ListBatchesRequest::default())
        .await
        .unwrap()
        .into_inner()
        .runs;
    assert!(runs.is_empty(), "{runs:?}");
    let error = server
        .batches(STAFF)
        .get_batch(pb::GetBatchRequest { run_id: 42 })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::NotFound);
    let error = server
        .batches(STAFF)
        .watch_batch(pb::WatchBatchRequest { run_id: 42 })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ambiguous_name_in_a_spec_is_invalid_argument_naming_the_field() {
    let server = BatchServer::sample().await;
    // Two French communes named Saint-Denis (Seine-Saint-Denis and La Réunion).
    let twins = [
        r#"{"id":"FR-COM-93066","country":"FR","kind":"commune","level":"local","name":"Saint-Denis","admin":{"region":"11","departement":"93"},"location":{"lat":48.93,"lon":2.35},"population":113000,"request":{"themes":["sante"],"text":"Coopération en santé"},"call":{"status":"open"}}"#,
        r#"{"id":"FR-COM-97411","country":"FR","kind":"commune","level":"local","name":"Saint-Denis","admin":{"region":"04","departement":"974"},"location":{"lat":-20.88,"lon":55.45},"population":153000,"request":{"text":"Coopération culturelle"},"call":{"status":"open"}}"#,
    ]
    .map(|line| passerelle_engine::jsonl::parse_fiche(line).unwrap());
    let state = server.state.clone();
    tokio::task::spawn_blocking(move || state.corpus().upsert(&twins).unwrap())
        .await
        .unwrap();
    let mut spec = benin_spec();
    spec.french = "ids:Saint-Denis".into();
    let status = server.start(spec.clone()).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert_eq!(field_of(&status), "spec.french", "{status:?}");
    assert!(
        status.message().contains("Saint-Denis (93)")
            && status.message().contains("Saint-Denis (974)"),
        "the qualified names that settle it: {status:?}"
    );
    // Qualified, it runs.
    spec.french = "ids:Saint-Denis (974)".into();
    let run = server.start(spec).await.unwrap();
    assert_eq!(run.status(), pb::BatchStatus::Queued);
}

/// A run is cancelled over gRPC in each of its phases: the runner pauses it at its
/// first report of the phase (no timing involved), `WatchBatch` shows it running in
/// that phase, `CancelBatch` asks, and once released the run stops there — no later
/// phase — as cancelled, with no result row left in the store and none readable.
/// The server then carries out the same spec to the end, as a fresh server does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_is_cancelled_in_every_phase_and_leaves_nothing() {
    use passerelle_engine::batch::Phase;
    let server = BatchServer::sample().await;
    let mut spec = benin_spec();
    spec.agenda = Some(slots());
    let phases = [
        (Phase::Snapshot, pb::BatchPhase::Snapshot),
        (Phase::Scoring, pb::BatchPhase::Scoring),
        (Phase::Pairing, pb::BatchPhase::Pairing),
        (Phase::Writing, pb::BatchPhase::Writing),
    ];
    let mut client = server.batches(STAFF);
    for (phase, wire) in phases {
        let mut gate = server.state.batches().pause_at(phase);
        let run = server.start(spec.clone()).await.unwrap();
        let reached = tokio::time::timeout(std::time::Duration::from_secs(300), gate.reached())
            .await
            .expect("the run reaches the phase");
        assert_eq!(reached.get(), run.run_id);

        let request = pb::WatchBatchRequest { run_id: run.run_id };
        let mut watch = client.watch_batch(request).await.unwrap().into_inner();
        let now = watch.message().await.unwrap().unwrap();
        assert_eq!(now.status(), pb::BatchStatus::Running, "{phase:?}: {now:?}");
        assert_eq!(now.phase(), wire, "{phase:?}: {now:?}");

        let cancel = pb::CancelBatchRequest { run_id: run.run_id };
        let response = client.cancel_batch(cancel).await.unwrap().into_inner();
        assert_eq!(response.status(), pb::BatchStatus::Running, "{phase:?}");
        drop(gate);
        let mut seen = vec![now];
        while let Some(progress) = watch.message().await.unwrap() {
            seen.push(progress);
        }
        let last = seen.last().unwrap();
        assert_eq!(
            last.status(),
            pb::BatchStatus::Cancelled,
            "{phase:?}: {seen:?}"
        );
        // Stopped in the phase: no later one was reported.
        assert!(
            seen.iter().all(|p| p.phase() as i32 <= wire as i32),
            "{phase:?}: {seen:?}"
        );

        let request = pb::GetBatchRequest { run_id: run.run_id };
        let record = client.get_batch(request).await.unwrap().into_inner();
        assert_eq!(record.status(), pb::BatchStatus::Cancelled, "{phase:?}");
        assert!(record.summary.is_none(), "{phase:?}: {record:?}");
        assert!(record.pairs_scored <= record.total_pairs, "{record:?}");
        let error = server.results(run.run_id).await.unwrap_err();
        assert_eq!(
            error.code(),
            Code::FailedPrecondition,
            "{phase:?}: {error:?}"
        );
        let error = client.cancel_batch(cancel).await.unwrap_err();
        assert_eq!(error.code(), Code::FailedPrecondition, "{phase:?}");
        let path = server.dir.path().to_owned();
        let id = passerelle_engine::batch::RunId::new(run.run_id);
        let rows = tokio::task::spawn_blocking(move || {
            let store = passerelle_engine::store::Store::open(&path).unwrap();
            store.batch_result_rows(id).unwrap()
        })
        .await
        .unwrap();
        assert_eq!(rows, 0, "{phase:?}: result rows left behind");
    }

    // The server is healthy: the same spec runs to the end, with every phase shown,
    // and gives what a fresh server gives.
    let done = server.run(spec.clone()).await;
    assert!(!done.assigned.is_empty());
    let run = done.run.as_ref().unwrap();
    let listed = client
        .list_batches(pb::ListBatchesRequest { limit: 10 })
        .await
        .unwrap()
        .into_inner()
        .runs;
    let statuses: Vec<pb::BatchStatus> = listed.iter().map(|r| r.status()).collect();
    assert_eq!(statuses[0], pb::BatchStatus::Done);
    assert!(
        statuses[1..]
            .iter()
            .all(|s| *s == pb::BatchStatus::Cancelled),
        "{statuses:?}"
    );
    let dir = server.stop().await;
    let fresh = BatchServer::on(dir).await;
    let again = fresh.run(spec).await;
    assert_eq!(again.content(), done.content());
    assert_eq!(
        again.run.unwrap().generation,
        run.generation,
        "cancelled runs changed nothing in the store's data"
    );
}
