//! Load generator for the gRPC server: N concurrent clients call `Suggest` for a
//! bounded time; prints the throughput and the latency distribution.
//!
//! `cargo run --release -p passerelle-benches --bin bench-grpc -- ADDR TOKEN [CLIENTS] [SECONDS] [K]`
//!
//! ADDR like `http://127.0.0.1:50051`; TOKEN any role's. The fiches queried are the
//! first 1,000 French fiches a filter-only search returns, round robin.

use std::time::{Duration, Instant};

use passerelle_benches::grpc_client::{authed, french_fiches, percentile};
use passerelle_proto::v1 as pb;
use pb::match_service_client::MatchServiceClient;
use tonic::transport::Channel;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench-grpc ADDR TOKEN [CLIENTS] [SECONDS] [K]";
    let addr = args.next().ok_or_else(|| anyhow::anyhow!(usage))?;
    let token = args.next().ok_or_else(|| anyhow::anyhow!(usage))?;
    let clients: usize = args.next().map_or(Ok(8), |a| a.parse())?;
    let seconds: u64 = args.next().map_or(Ok(10), |a| a.parse())?;
    let k: u32 = args.next().map_or(Ok(10), |a| a.parse())?;
    let channel = Channel::from_shared(addr)?.connect().await?;

    let ids: std::sync::Arc<Vec<String>> = std::sync::Arc::new(
        (french_fiches(&channel, &token).await?.into_iter())
            .map(|(id, _)| id)
            .collect(),
    );
    println!(
        "{clients} clients, {seconds} s, k = {k}, {} fiches queried round robin",
        ids.len()
    );

    let end = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for client in 0..clients {
        let (channel, token, ids) = (channel.clone(), token.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut matches = MatchServiceClient::new(channel);
            let (mut latencies, mut errors) = (Vec::new(), 0usize);
            let mut i = client;
            while Instant::now() < end {
                let request = pb::SuggestRequest {
                    fiche: Some(pb::FicheRef {
                        r#ref: Some(pb::fiche_ref::Ref::Id(ids[i % ids.len()].clone())),
                        country: None,
                    }),
                    k,
                    ..Default::default()
                };
                let started = Instant::now();
                match matches.suggest(authed(request, &token)?).await {
                    Ok(_) => latencies.push(started.elapsed()),
                    Err(_) => errors += 1,
                }
                i += clients;
            }
            anyhow::Ok((latencies, errors))
        }));
    }
    let started = Instant::now();
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (l, e) = task.await??;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} calls ({errors} errors) in {elapsed:.1} s: {:.0} calls/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.90)),
        ms(percentile(&latencies, 0.99)),
        ms(latencies.last().copied().unwrap_or_default()),
    );
    Ok(())
}
