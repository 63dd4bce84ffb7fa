//! `passerelle.v1.BatchService`: batch runs started, followed, cancelled and read.
//! Staff and admin only.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use passerelle_engine::Error;
use passerelle_engine::batch::export::StaleFiches;
use passerelle_engine::batch::{BatchRun, ResultItem, RunId, RunStatus};
use passerelle_engine::store::Store;
use passerelle_proto::v1 as pb;
use pb::batch_service_server::BatchService;
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Role};
use super::batch_runner::LiveProgress;
use super::fiche_service::bounded;
use super::state::State;
use super::{blocking, bounds, convert_batch, engine_err, metered, status};

/// Least time between two progress messages of one watcher.
const WATCH_INTERVAL: Duration = Duration::from_millis(250);
/// How often the store is read for a run this server does not carry out.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Entries per results message.
const CHUNK: usize = 1000;

#[derive(Debug, Clone)]
pub struct BatchApi {
    pub state: Arc<State>,
    /// Turns true when the server begins to stop: progress streams end.
    pub stopping: watch::Receiver<bool>,
}

type Stream<T> = ReceiverStream<Result<T, Status>>;

/// Spec problems name the request's field (`spec.french`, `spec.exclude[0]`).
fn spec_err(error: Error) -> Status {
    match error {
        Error::SpecRejected { mut problems } => {
            for problem in &mut problems {
                problem.field = format!("spec.{}", problem.field);
            }
            engine_err(Error::SpecRejected { problems })
        }
        other => engine_err(other),
    }
}

async fn run_of(state: &Arc<State>, id: u64) -> Result<BatchRun, Status> {
    let state = state.clone();
    blocking(move |_| state.corpus().batch_run(RunId::new(id)).map_err(engine_err)).await
}

#[tonic::async_trait]
impl BatchService for BatchApi {
    async fn start_batch(
        &self,
        request: Request<pb::StartBatchRequest>,
    ) -> Result<Response<pb::StartBatchResponse>, Status> {
        metered("StartBatch", async {
            let caller = Caller::of(&request)?;
            caller.require(Role::Staff)?;
            bounds::check(request.get_ref())?;
            let spec = convert_batch::spec(
                request.get_ref().spec.as_ref(),
                self.state.corpus().policy().weights,
            )
            .map_err(|e| status::invalid_field(&e))?;
            let state = self.state.clone();
            let (run, resolved) = blocking(move |_| {
                let corpus = state.corpus();
                corpus.create_batch(&spec, &caller.name).map_err(spec_err)
            })
            .await?;
            self.state.batches().launch(&run);
            Ok(Response::new(pb::StartBatchResponse {
                run: Some(convert_batch::run(&run)),
                corrections: resolved
                    .corrections
                    .iter()
                    .map(convert_batch::correction)
                    .collect(),
            }))
        })
        .await
    }

    type WatchBatchStream = Stream<pb::BatchProgress>;

    async fn watch_batch(
        &self,
        request: Request<pb::WatchBatchRequest>,
    ) -> Result<Response<Self::WatchBatchStream>, Status> {
        metered("WatchBatch", async {
            Caller::of(&request)?.require(Role::Staff)?;
            let run = run_of(&self.state, request.get_ref().run_id).await?;
            let (sender, receiver) = mpsc::channel(4);
            let (state, stopping) = (self.state.clone(), self.stopping.clone());
            tokio::spawn(until_stopping(
                stopping,
                sender.clone(),
                follow(state, run, sender),
            ));
            Ok(Response::new(ReceiverStream::new(receiver)))
        })
        .await
    }

    type GetBatchResultsStream = Stream<pb::BatchResultsChunk>;

    async fn get_batch_results(
        &self,
        request: Request<pb::GetBatchResultsRequest>,
    ) -> Result<Response<Self::GetBatchResultsStream>, Status> {
        metered("GetBatchResults", async {
            Caller::of(&request)?.require(Role::Staff)?;
            let run = run_of(&self.state, request.get_ref().run_id).await?;
            if run.status != RunStatus::Done {
                let status = run.status.to_string();
                return Err(engine_err(Error::RunNotDone {
                    id: run.id.get(),
                    status,
                }));
            }
            let (sender, receiver) = mpsc::channel(4);
            let state = self.state.clone();
            tokio::task::spawn_blocking(move || {
                // Fiches « à reconfirmer » on the server's date, flagged in the pairs.
                match state.corpus().stale_fiches() {
                    Ok(stale) => send_results(state.data_dir(), &run, &stale, &sender),
                    Err(error) => {
                        let _ = sender.blocking_send(Err(engine_err(error)));
                    }
                }
            });
            Ok(Response::new(ReceiverStream::new(receiver)))
        })
        .await
    }

    async fn cancel_batch(
        &self,
        request: Request<pb::CancelBatchRequest>,
    ) -> Result<Response<pb::CancelBatchResponse>, Status> {
        metered("CancelBatch", async {
            Caller::of(&request)?.require(Role::Staff)?;
            let (state, id) = (self.state.clone(), RunId::new(request.get_ref().run_id));
            let after = blocking(move |_| state.cancel_batch(id).map_err(engine_err)).await?;
            let status = convert_batch::status(&after).0 as i32;
            Ok(Response::new(pb::CancelBatchResponse { status }))
        })
        .await
    }

    async fn get_batch(
        &self,
        request: Request<pb::GetBatchRequest>,
    ) -> Result<Response<pb::BatchRun>, Status> {
        metered("GetBatch", async {
            Caller::of(&request)?.require(Role::Staff)?;
            let run = run_of(&self.state, request.get_ref().run_id).await?;
            Ok(Response::new(convert_batch::run(&run)))
        })
        .await
    }

    async fn list_batches(
        &self,
        request: Request<pb::ListBatchesRequest>,
    ) -> Result<Response<pb::ListBatchesResponse>, Status> {
        metered("ListBatches", async {
            Caller::of(&request)?.require(Role::Staff)?;
            let limit = bounded("limit", request.get_ref().limit, 20, 100)?;
            let state = self.state.clone();
            let runs =
                blocking(move |_| state.corpus().batch_runs(limit).map_err(engine_err)).await?;
            let runs = runs.iter().map(convert_batch::run).collect();
            Ok(Response::new(pb::ListBatchesResponse { runs }))
        })
        .await
    }
}

/// Runs `follow` until the server begins to stop; then ends the stream with
/// UNAVAILABLE (the client may watch again on another server, or after a restart).
async fn until_stopping<T>(
    mut stopping: watch::Receiver<bool>,
    sender: mpsc::Sender<Result<T, Status>>,
    follow: impl std::future::Future<Output = ()>,
) {
    let stop = async move {
        // The guard `wait_for` returns is not `Send`: drop it at once.
        let _ = stopping.wait_for(|stopping| *stopping).await.map(|_| ());
    };
    tokio::select! {
        () = follow => {}
        () = stop => {
            let stopped = Status::unavailable("le serveur s'arrête : suivez la session à nouveau après son redémarrage");
            let _ = sender.send(Err(stopped)).await;
        }
    }
}

/// Sends a run's progress until it is finished: from this server's runner when it
/// carries the run out, else from the store (a run of another process, or one
/// already finished).
async fn follow(
    state: Arc<State>,
    mut run: BatchRun,
    sender: mpsc::Sender<Result<pb::BatchProgress, Status>>,
) {
    let id = run.id;
    if let Some(mut live) = state.batches().watch(id) {
        loop {
            let now = live.borrow_and_update().clone();
            if sender
                .send(Ok(convert_batch::progress(id, &now)))
                .await
                .is_err()
                || now.status.is_finished()
            {
                return;
            }
            tokio::time::sleep(WATCH_INTERVAL).await;
            // An error: the runner is done with the run, and its last value is final.
            if live.changed().await.is_err() {
                let last = live.borrow().clone();
                let _ = sender.send(Ok(convert_batch::progress(id, &last))).await;
                return;
            }
        }
    }
    loop {
        let now = LiveProgress::of(&run);
        if sender
            .send(Ok(convert_batch::progress(id, &now)))
            .await
            .is_err()
            || now.status.is_finished()
        {
            return;
        }
        tokio::time::sleep(POLL_INTERVAL).await;
        run = match run_of(&state, id.get()).await {
            Ok(run) => run,
            Err(status) => {
                let _ = sender.send(Err(status)).await;
                return;
            }
        };
    }
}

/// Streams a done run's results from a connection of its own (a slow client holds
/// no lock of the server), in chunks of [`CHUNK`] entries.
fn send_results(
    data_dir: &Path,
    run: &BatchRun,
    stale: &StaleFiches,
    sender: &mpsc::Sender<Result<pb::BatchResultsChunk, Status>>,
) {
    let mut chunk = pb::BatchResultsChunk {
        run: Some(convert_batch::run(run)),
        ..Default::default()
    };
    let (mut entries, mut sent) = (0, false);
    let outcome = Store::open(data_dir).and_then(|store| {
        store.visit_batch_results(run.id, &mut |item| {
            match &item {
                ResultItem::Scored(p) => chunk.scored.push(convert_batch::pair(p, stale)),
                ResultItem::Assigned(p) => chunk.assigned.push(convert_batch::pair(p, stale)),
                ResultItem::Unassigned(u) => chunk.unassigned.push(convert_batch::unassigned(u)),
                ResultItem::Agenda(row) => {
                    chunk.agenda.push(convert_batch::agenda_entry(row, stale));
                }
                ResultItem::Unplaced(p) => chunk.unplaced.push(convert_batch::pair(p, stale)),
            }
            entries += 1;
            if entries < CHUNK {
                return ControlFlow::Continue(());
            }
            (entries, sent) = (0, true);
            match sender.blocking_send(Ok(std::mem::take(&mut chunk))) {
                Ok(()) => ControlFlow::Continue(()),
                // The client went away.
                Err(_) => ControlFlow::Break(()),
            }
        })
    });
    let last = match outcome {
        Ok(()) if sent && entries == 0 => return,
        Ok(()) => Ok(chunk),
        Err(error) => Err(engine_err(error)),
    };
    let _ = sender.blocking_send(last);
}
