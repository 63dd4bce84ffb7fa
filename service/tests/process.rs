//! The real `passerelle` binary, as a deployment runs it: killed with SIGKILL at
//! random moments while it acknowledges upserts and decisions (nothing acknowledged
//! may be missing after a restart, and search and suggest must agree with the
//! store), and stopped with SIGTERM while a stream is open (the process must end
//! within its grace period).
//!
//! Child processes are killed when a test ends, panics included. The only clock
//! bound is the shutdown one the issue names, with a generous margin.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use passerelle_proto::v1 as pb;
use pb::batch_service_client::BatchServiceClient;
use pb::fiche_service_client::FicheServiceClient;
use pb::match_service_client::MatchServiceClient;
use pb::review_service_client::ReviewServiceClient;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;
use tonic::{Request, Status};

const ADMIN: &str = "process-admin-token-0123456789";
/// Every call of the tests has this deadline: no test waits for ever.
const CALL: Duration = Duration::from_secs(20);

/// A running `passerelle serve`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_passerelle")
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/sample/sample.jsonl")
}

/// Imports the committed sample into a fresh data directory.
fn import_sample(data: &Path) {
    let status = Command::new(binary())
        .arg("--data-dir")
        .arg(data)
        .arg("import")
        .arg(sample())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "import failed: {status}");
}

/// Starts `passerelle serve` on `data` (with `config` when given) and waits until it
/// listens.
fn serve(data: &Path, config: Option<&Path>) -> Server {
    let mut command = Command::new(binary());
    command
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--empty", "--listen", "127.0.0.1:0"])
        .args(["--date", "2026-09-01", "--threads", "1"])
        .env("PASSERELLE_TOKENS", format!("process-admin:admin:{ADMIN}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (found, address) = mpsc::channel();
    // Reads standard error to its end, so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("passerelle: listening on ") {
                let _ = found.send(addr.trim().to_owned());
            }
        }
    });
    let mut server = Server {
        child,
        addr: String::new(),
    };
    server.addr = address
        .recv_timeout(Duration::from_secs(120))
        .expect("the server listens");
    server
}

async fn channel(server: &Server) -> Channel {
    Channel::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .timeout(CALL)
        .connect()
        .await
        .unwrap()
}

fn authed<T>(message: T) -> Request<T> {
    let mut request = Request::new(message);
    let value = MetadataValue::try_from(format!("Bearer {ADMIN}")).unwrap();
    request.metadata_mut().insert("authorization", value);
    request.set_timeout(CALL);
    request
}

/// xorshift64*: random kill moments, reproducible from the seed printed.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// What the server acknowledged.
#[derive(Debug, Default)]
struct Acknowledged {
    /// New foreign fiches: id and name.
    fiches: Vec<(String, String)>,
    /// Rejected pairs: French id, foreign id.
    rejections: Vec<(String, String)>,
    /// Batch runs started.
    runs: Vec<u64>,
}

const MARSEILLE: &str = "FR-COM-13055";

/// Ids of the sample the writes use: French fiches (Marseille aside) and foreign
/// fiches suggested to Marseille (so with an open call).
async fn cast(channel: &Channel) -> (Vec<String>, Vec<pb::Fiche>) {
    let mut fiches = FicheServiceClient::new(channel.clone());
    let french = pb::SearchFichesRequest {
        filters: Some(pb::SearchFilters {
            side: Some("french".into()),
            ..Default::default()
        }),
        limit: 40,
        ..Default::default()
    };
    let french: Vec<String> = fiches
        .search_fiches(authed(french))
        .await
        .unwrap()
        .into_inner()
        .hits
        .into_iter()
        .map(|h| h.id)
        .filter(|id| id != MARSEILLE)
        .collect();
    let foreign = suggest_ids(channel, MARSEILLE, 20).await;
    let mut models = Vec::new();
    for id in foreign.iter().take(5) {
        let request = pb::GetFicheRequest { id: id.clone() };
        let fiche = fiches.get_fiche(authed(request)).await.unwrap();
        models.push(fiche.into_inner().fiche.unwrap());
    }
    (french, models)
}

async fn suggest_ids(channel: &Channel, id: &str, k: u32) -> Vec<String> {
    let request = pb::SuggestRequest {
        fiche: Some(pb::FicheRef {
            r#ref: Some(pb::fiche_ref::Ref::Id(id.to_owned())),
            country: None,
        }),
        k,
        ..Default::default()
    };
    let mut matches = MatchServiceClient::new(channel.clone());
    let response = matches.suggest(authed(request)).await.unwrap();
    response
        .into_inner()
        .suggestions
        .into_iter()
        .map(|s| s.id)
        .collect()
}

/// Writes until the server stops answering; every write it acknowledged is recorded.
async fn write_until_killed(
    channel: Channel,
    round: usize,
    (french, models): (Vec<String>, Vec<pb::Fiche>),
    progress: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> Acknowledged {
    let mut fiches = FicheServiceClient::new(channel.clone());
    let mut reviews = ReviewServiceClient::new(channel.clone());
    let mut batches = BatchServiceClient::new(channel);
    let mut acknowledged = Acknowledged::default();
    let spec = pb::BatchSpec {
        french: "all".into(),
        foreign: "all".into(),
        ..Default::default()
    };
    if let Ok(run) = batches
        .start_batch(authed(pb::StartBatchRequest { spec: Some(spec) }))
        .await
    {
        acknowledged.runs.push(run.into_inner().run.unwrap().run_id);
    }
    for n in 0.. {
        let model = &models[n % models.len()];
        let outcome: Result<(), Status> = if n % 3 == 2 {
            let (a, b) = (&french[n % french.len()], &model.id);
            let decision = pb::RecordDecisionRequest {
                fiche_a: a.clone(),
                fiche_b: b.clone(),
                kind: pb::DecisionKind::Reject as i32,
                note: format!("round {round}, write {n}"),
                reason: 0,
                reviewer: String::new(),
            };
            reviews.record_decision(authed(decision)).await.map(|_| {
                acknowledged.rejections.push((a.clone(), b.clone()));
            })
        } else {
            let mut fiche = model.clone();
            fiche.id = format!("{}-COM-DUR{round}X{n}", &model.id[..2]);
            fiche.name = format!("Zorglub{round}x{n}");
            fiche.alt_names.clear();
            let name = fiche.name.clone();
            let request = pb::UpsertFichesRequest {
                fiches: vec![fiche],
                atomic: true,
            };
            fiches.upsert_fiches(authed(request)).await.map(|_| {
                acknowledged
                    .fiches
                    .push((format!("{}-COM-DUR{round}X{n}", &model.id[..2]), name));
            })
        };
        if outcome.is_err() {
            break;
        }
        progress.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    acknowledged
}

/// Everything acknowledged is in the store, and search, lookup and suggest agree.
async fn check_acknowledged(channel: &Channel, all: &Acknowledged) {
    let mut fiches = FicheServiceClient::new(channel.clone());
    let mut reviews = ReviewServiceClient::new(channel.clone());
    let suggested = suggest_ids(channel, MARSEILLE, 1000).await;
    for (id, name) in &all.fiches {
        let request = pb::GetFicheRequest { id: id.clone() };
        let stored = fiches.get_fiche(authed(request)).await;
        let stored = stored.unwrap_or_else(|e| panic!("acknowledged {id} is missing: {e:?}"));
        assert_eq!(&stored.into_inner().fiche.unwrap().name, name);
        let search = pb::SearchFichesRequest {
            text: name.clone(),
            ..Default::default()
        };
        let hits = fiches.search_fiches(authed(search)).await.unwrap();
        let first = hits.into_inner().hits.first().map(|h| h.id.clone());
        assert_eq!(first.as_deref(), Some(id.as_str()), "search for {name}");
        let lookup = pb::LookupByNameRequest {
            name: name.clone(),
            country: None,
            limit: 1,
        };
        let hits = fiches.lookup_by_name(authed(lookup)).await.unwrap();
        let first = hits.into_inner().hits.first().map(|h| h.id.clone());
        assert_eq!(first.as_deref(), Some(id.as_str()), "lookup of {name}");
        assert!(suggested.contains(id), "{id} is not suggested to Marseille");
    }
    for (french, foreign) in &all.rejections {
        let request = pb::ListDecisionsRequest {
            fiche_id: french.clone(),
            partner_id: Some(foreign.clone()),
        };
        let history = reviews.list_decisions(authed(request)).await.unwrap();
        assert!(
            history
                .into_inner()
                .decisions
                .iter()
                .any(|d| d.kind == pb::DecisionKind::Reject as i32),
            "the rejection of {french} × {foreign} is missing"
        );
        let suggested = suggest_ids(channel, french, 1000).await;
        assert!(
            !suggested.contains(foreign),
            "{french} × {foreign} suggested"
        );
    }
    let mut batches = BatchServiceClient::new(channel.clone());
    for &run_id in &all.runs {
        let run = batches
            .get_batch(authed(pb::GetBatchRequest { run_id }))
            .await
            .unwrap()
            .into_inner();
        let settled = [pb::BatchStatus::Done as i32, pb::BatchStatus::Failed as i32];
        assert!(settled.contains(&run.status), "run {run_id}: {run:?}");
    }
}

#[test]
fn sigkill_at_random_moments_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    import_sample(&data);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("kill moments from seed {seed}");
    let mut random = Random(seed);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut all = Acknowledged::default();
    const KILLS: usize = 6;
    for round in 0..KILLS {
        let mut server = serve(&data, None);
        let channel = runtime.block_on(channel(&server));
        // What is already acknowledged survived the previous kill.
        runtime.block_on(check_acknowledged(&channel, &all));
        let cast = runtime.block_on(cast(&channel));
        let progress: std::sync::Arc<std::sync::atomic::AtomicUsize> = Default::default();
        let writer = runtime.spawn(write_until_killed(channel, round, cast, progress.clone()));
        // A random moment once writes flow: after 1 to 8 acknowledged writes (a
        // debug build on a loaded machine may be slow to the first), then 0 to 300 ms
        // later, most often in the middle of a write.
        let writes = 1 + random.below(8) as usize;
        let waiting = Instant::now();
        while progress.load(std::sync::atomic::Ordering::Relaxed) < writes
            && waiting.elapsed() < Duration::from_secs(120)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(random.below(300)));
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        let acknowledged = runtime.block_on(writer).unwrap();
        eprintln!(
            "round {round}: {} fiches and {} rejections acknowledged before SIGKILL",
            acknowledged.fiches.len(),
            acknowledged.rejections.len()
        );
        all.fiches.extend(acknowledged.fiches);
        all.rejections.extend(acknowledged.rejections);
        all.runs.extend(acknowledged.runs);
    }
    assert!(!all.fiches.is_empty() && !all.rejections.is_empty());
    let server = serve(&data, None);
    let channel = runtime.block_on(channel(&server));
    runtime.block_on(check_acknowledged(&channel, &all));
}

#[test]
fn sigterm_ends_the_process_within_its_grace_period_while_a_stream_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    import_sample(&data);
    let config = dir.path().join("passerelle.toml");
    const GRACE: Duration = Duration::from_secs(2);
    std::fs::write(
        &config,
        format!("shutdown_grace_secs = {}\n", GRACE.as_secs()),
    )
    .unwrap();
    let mut server = serve(&data, Some(&config));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let channel = runtime.block_on(channel(&server));
    // An upload stream the client never ends: one message sent, then silence.
    let (send, messages) = tokio::sync::mpsc::channel(1);
    let upload = {
        let mut fiches = FicheServiceClient::new(channel.clone());
        let stream = tokio_stream::wrappers::ReceiverStream::new(messages);
        runtime.spawn(async move { fiches.upsert_fiches_stream(authed(stream)).await })
    };
    runtime
        .block_on(send.send(pb::UpsertFichesRequest::default()))
        .unwrap();
    // And a progress stream on a queued run, held back by nothing but the watcher.
    let mut batches = BatchServiceClient::new(channel.clone());
    let spec = pb::BatchSpec {
        french: "all".into(),
        foreign: "all".into(),
        ..Default::default()
    };
    let run = runtime
        .block_on(batches.start_batch(authed(pb::StartBatchRequest { spec: Some(spec) })))
        .unwrap()
        .into_inner()
        .run
        .unwrap();
    let watch = runtime.spawn(async move {
        let request = pb::WatchBatchRequest { run_id: run.run_id };
        let mut stream = batches.watch_batch(authed(request)).await?.into_inner();
        while stream.message().await?.is_some() {}
        Ok::<(), Status>(())
    });
    std::thread::sleep(Duration::from_millis(300));

    let asked = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let bound = GRACE + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            asked.elapsed() < bound,
            "still running {bound:?} after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit}");
    // The upload never finished: the client learns the server went away.
    let upload = runtime.block_on(upload).unwrap();
    assert!(upload.is_err(), "{upload:?}");
    let _ = runtime.block_on(watch).unwrap();
    drop(send);
}
