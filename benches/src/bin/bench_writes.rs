//! Writes over gRPC against a running server: what one upsert costs the client, how
//! soon search sees it, a stream of one-fiche messages, and what a steady write load
//! does to `Suggest`.
//!
//! `cargo run --release -p passerelle-benches --bin bench-writes -- ADDR TOKEN [UPSERTS] [SECONDS]`
//!
//! ADDR like `http://127.0.0.1:50051`; TOKEN a staff or admin token (an admin token
//! also deletes the bench's fiches at the end). Phases:
//! 1. UPSERTS (default 200) `UpsertFiches` calls of one new fiche each, one after the
//!    other: acknowledgement latency, then a `SearchFiches` for the fiche's unique name,
//!    which must find it first (counted);
//! 2. one `UpsertFichesStream` of 200 one-fiche messages: time to the response;
//! 3. `Suggest` from 4 clients for SECONDS (default 10) alone, then again while
//!    another client upserts one fiche 20 times a second: latency percentiles of
//!    both, and of the writes under load.

use std::time::{Duration, Instant};

use passerelle_benches::grpc_client::{authed, french_fiches, ms, percentile};
use passerelle_proto::v1 as pb;
use pb::fiche_service_client::FicheServiceClient;
use pb::match_service_client::MatchServiceClient;
use tonic::transport::Channel;

fn summary(label: &str, mut latencies: Vec<Duration>) -> String {
    latencies.sort();
    format!(
        "{label}: {} calls, p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.90)),
        ms(percentile(&latencies, 0.99)),
        ms(latencies.last().copied().unwrap_or_default()),
    )
}

/// Makes the bench's fiches: copies of a suggestible foreign fiche under new ids and
/// unique one-word names.
struct Maker {
    model: pb::Fiche,
    nonce: u64,
    made: Vec<String>,
}

impl Maker {
    fn next(&mut self) -> pb::Fiche {
        let n = self.made.len();
        let mut fiche = self.model.clone();
        fiche.id = format!("{}-COM-BENCHW{}X{n}", &self.model.id[..2], self.nonce);
        fiche.name = format!("Benchw{}x{n}", self.nonce);
        fiche.alt_names.clear();
        fiche.partnerships.clear();
        self.made.push(fiche.id.clone());
        fiche
    }
}

async fn suggest_load(
    channel: &Channel,
    token: &str,
    ids: &std::sync::Arc<Vec<String>>,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Vec<Duration>> {
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for client in 0..clients {
        let (channel, token, ids) = (channel.clone(), token.to_owned(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut matches = MatchServiceClient::new(channel);
            let mut latencies = Vec::new();
            let mut i = client;
            while Instant::now() < end {
                let request = pb::SuggestRequest {
                    fiche: Some(pb::FicheRef {
                        r#ref: Some(pb::fiche_ref::Ref::Id(ids[i % ids.len()].clone())),
                        country: None,
                    }),
                    k: 10,
                    ..Default::default()
                };
                let started = Instant::now();
                matches.suggest(authed(request, &token)?).await?;
                latencies.push(started.elapsed());
                i += clients;
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    Ok(all)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench-writes ADDR TOKEN [UPSERTS] [SECONDS]";
    let addr = args.next().ok_or_else(|| anyhow::anyhow!(usage))?;
    let token = args.next().ok_or_else(|| anyhow::anyhow!(usage))?;
    let upserts: usize = args.next().map_or(Ok(200), |a| a.parse())?;
    let seconds: u64 = args.next().map_or(Ok(10), |a| a.parse())?;
    let channel = Channel::from_shared(addr)?.connect().await?;
    let mut fiches = FicheServiceClient::new(channel.clone());

    let ids: Vec<String> = (french_fiches(&channel, &token).await?.into_iter())
        .map(|(id, _)| id)
        .collect();
    let ids = std::sync::Arc::new(ids);
    let first = pb::SuggestRequest {
        fiche: Some(pb::FicheRef {
            r#ref: Some(pb::fiche_ref::Ref::Id(ids[0].clone())),
            country: None,
        }),
        k: 1,
        ..Default::default()
    };
    let partner = MatchServiceClient::new(channel.clone())
        .suggest(authed(first, &token)?)
        .await?
        .into_inner()
        .suggestions;
    let partner = partner
        .first()
        .ok_or_else(|| anyhow::anyhow!("no suggestion"))?;
    let model = fiches
        .get_fiche(authed(
            pb::GetFicheRequest {
                id: partner.id.clone(),
            },
            &token,
        )?)
        .await?
        .into_inner()
        .fiche
        .ok_or_else(|| anyhow::anyhow!("no fiche"))?;
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs()
        % 1_000_000;
    let mut maker = Maker {
        model,
        nonce,
        made: Vec::new(),
    };

    // 1. One upsert at a time; search must see each at once.
    let (mut acks, mut seen) = (Vec::new(), 0);
    for _ in 0..upserts {
        let fiche = maker.next();
        let (id, name) = (fiche.id.clone(), fiche.name.clone());
        let request = pb::UpsertFichesRequest {
            fiches: vec![fiche],
            atomic: true,
        };
        let started = Instant::now();
        fiches.upsert_fiches(authed(request, &token)?).await?;
        acks.push(started.elapsed());
        let search = pb::SearchFichesRequest {
            text: name,
            limit: 1,
            ..Default::default()
        };
        let hits = fiches.search_fiches(authed(search, &token)?).await?;
        if hits.into_inner().hits.first().map(|h| &h.id) == Some(&id) {
            seen += 1;
        }
    }
    println!("{}", summary("UpsertFiches, one fiche, acknowledged", acks));
    println!("search found the fiche just acknowledged: {seen} of {upserts}");

    // 2. A stream of 200 one-fiche messages.
    let messages: Vec<_> = (0..200)
        .map(|_| pb::UpsertFichesRequest {
            fiches: vec![maker.next()],
            atomic: false,
        })
        .collect();
    let started = Instant::now();
    let response = fiches
        .upsert_fiches_stream(authed(tokio_stream::iter(messages), &token)?)
        .await?
        .into_inner();
    println!(
        "UpsertFichesStream, 200 one-fiche messages: {} written in {:.1} ms",
        response.written,
        ms(started.elapsed())
    );

    // 3. Suggest alone, then under 20 upserts/s.
    let alone = suggest_load(&channel, &token, &ids, 4, seconds).await?;
    println!("{}", summary("Suggest, 4 clients, no writes", alone));
    let writer = {
        let (channel, token) = (channel.clone(), token.clone());
        let fiches: Vec<_> = (0..seconds * 20).map(|_| maker.next()).collect();
        tokio::spawn(async move {
            let mut client = FicheServiceClient::new(channel);
            let mut tick = tokio::time::interval(Duration::from_millis(50));
            let mut latencies = Vec::new();
            for fiche in fiches {
                tick.tick().await;
                let request = pb::UpsertFichesRequest {
                    fiches: vec![fiche],
                    atomic: true,
                };
                let started = Instant::now();
                client.upsert_fiches(authed(request, &token)?).await?;
                latencies.push(started.elapsed());
            }
            anyhow::Ok(latencies)
        })
    };
    let loaded = suggest_load(&channel, &token, &ids, 4, seconds).await?;
    println!("{}", summary("Suggest, 4 clients, 20 upserts/s", loaded));
    println!(
        "{}",
        summary("UpsertFiches under the Suggest load", writer.await??)
    );

    // Clean up (an admin token deletes; others leave the fiches).
    let mut deleted = 0;
    for id in &maker.made {
        let request = pb::DeleteFicheRequest { id: id.clone() };
        if fiches.delete_fiche(authed(request, &token)?).await.is_ok() {
            deleted += 1;
        }
    }
    println!("{deleted} of {} bench fiches deleted", maker.made.len());
    Ok(())
}
