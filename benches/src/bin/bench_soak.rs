//! Soak: a light mixed load on a running server for minutes, its resident memory
//! sampled, to see whether it stays flat.
//!
//! `cargo run --release -p passerelle-benches --bin bench-soak -- ADDR TOKEN PID [MINUTES] [RATE]`
//!
//! ADDR like `http://127.0.0.1:50051`; TOKEN a staff or admin token (admin: the
//! bench's fiches are deleted at the end); PID the server's process, whose `VmRSS`
//! is read from `/proc` every 10 s. RATE calls per second (default 16, the load of
//! the issue that found memory growing) for MINUTES (default 10), chosen at random:
//! Suggest 40 %, GetFiche 20 %, SearchFiches 15 %, LookupByName 10 %, UpsertFiches 8 %
//! (replacing one of 100 bench fiches), RecordDecision 4 %, ReviewQueue 3 %. Prints
//! the samples, then RSS after the first minute (warm-up), at the end and at most,
//! and the drift from warm-up to the end.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use passerelle_benches::grpc_client::{authed, french_fiches};
use passerelle_proto::v1 as pb;
use pb::fiche_service_client::FicheServiceClient;
use pb::match_service_client::MatchServiceClient;
use pb::review_service_client::ReviewServiceClient;
use tonic::transport::Channel;

/// Resident memory of `pid`, in KiB.
fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or_else(|| anyhow::anyhow!("no VmRSS for {pid}"))?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("bad VmRSS line"))?
        .parse()?)
}

/// xorshift64*: the mix of calls.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// What the load draws from.
struct Cast {
    token: String,
    french: Vec<(String, String)>,
    foreign: Vec<String>,
    model: pb::Fiche,
    nonce: u64,
}

const POOL: u64 = 100;

impl Cast {
    fn bench_fiche(&self, n: u64, version: u64) -> pb::Fiche {
        let mut fiche = self.model.clone();
        fiche.id = format!("{}-COM-SOAK{}X{n}", &self.model.id[..2], self.nonce);
        fiche.name = format!("Soak{}x{n}", self.nonce);
        fiche.population = 1000 + version;
        fiche.alt_names.clear();
        fiche.partnerships.clear();
        fiche
    }
}

async fn one_call(channel: Channel, cast: Arc<Cast>, draw: u64, pick: u64) -> anyhow::Result<()> {
    let token = &cast.token;
    let (id, name) = &cast.french[pick as usize % cast.french.len()];
    let by_id = |id: &str| {
        Some(pb::FicheRef {
            r#ref: Some(pb::fiche_ref::Ref::Id(id.to_owned())),
            country: None,
        })
    };
    let mut fiches = FicheServiceClient::new(channel.clone());
    match draw {
        0..40 => {
            let request = pb::SuggestRequest {
                fiche: by_id(id),
                k: 10,
                ..Default::default()
            };
            MatchServiceClient::new(channel)
                .suggest(authed(request, token)?)
                .await?;
        }
        40..60 => {
            let request = pb::GetFicheRequest { id: id.clone() };
            fiches.get_fiche(authed(request, token)?).await?;
        }
        60..75 => {
            let words = ["eau potable", "jeunesse formation", "culture patrimoine"];
            let request = pb::SearchFichesRequest {
                text: words[pick as usize % words.len()].into(),
                limit: 20,
                ..Default::default()
            };
            fiches.search_fiches(authed(request, token)?).await?;
        }
        75..85 => {
            // A typo: drop one letter of the name.
            let mut typo: Vec<char> = name.chars().collect();
            if typo.len() > 3 {
                typo.remove(typo.len() / 2);
            }
            let request = pb::LookupByNameRequest {
                name: typo.into_iter().collect(),
                country: None,
                limit: 10,
            };
            fiches.lookup_by_name(authed(request, token)?).await?;
        }
        85..93 => {
            let request = pb::UpsertFichesRequest {
                fiches: vec![cast.bench_fiche(pick % POOL, pick)],
                atomic: true,
            };
            fiches.upsert_fiches(authed(request, token)?).await?;
        }
        93..97 => {
            let partner = &cast.foreign[pick as usize % cast.foreign.len()];
            let request = pb::RecordDecisionRequest {
                fiche_a: id.clone(),
                fiche_b: partner.clone(),
                kind: pb::DecisionKind::Shortlist as i32,
                note: "soak".into(),
                reason: 0,
                reviewer: String::new(),
            };
            ReviewServiceClient::new(channel)
                .record_decision(authed(request, token)?)
                .await?;
        }
        _ => {
            let request = pb::ReviewQueueRequest {
                page_size: 10,
                per_fiche: 2,
                ..Default::default()
            };
            ReviewServiceClient::new(channel)
                .review_queue(authed(request, token)?)
                .await?;
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench-soak ADDR TOKEN PID [MINUTES] [RATE]";
    let addr = args.next().ok_or_else(|| anyhow::anyhow!(usage))?;
    let token = args.next().ok_or_else(|| anyhow::anyhow!(usage))?;
    let pid: u32 = args.next().ok_or_else(|| anyhow::anyhow!(usage))?.parse()?;
    let minutes: f64 = args.next().map_or(Ok(10.0), |a| a.parse())?;
    let rate: f64 = args.next().map_or(Ok(16.0), |a| a.parse())?;
    let channel = Channel::from_shared(addr)?.connect().await?;
    let mut fiches = FicheServiceClient::new(channel.clone());

    let french = french_fiches(&channel, &token).await?;
    let first = pb::SuggestRequest {
        fiche: Some(pb::FicheRef {
            r#ref: Some(pb::fiche_ref::Ref::Id(french[0].0.clone())),
            country: None,
        }),
        k: 50,
        ..Default::default()
    };
    let foreign: Vec<String> = MatchServiceClient::new(channel.clone())
        .suggest(authed(first, &token)?)
        .await?
        .into_inner()
        .suggestions
        .into_iter()
        .map(|s| s.id)
        .collect();
    anyhow::ensure!(!foreign.is_empty(), "no suggestion");
    let model = fiches
        .get_fiche(authed(
            pb::GetFicheRequest {
                id: foreign[0].clone(),
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
    let cast = Arc::new(Cast {
        token: token.clone(),
        french,
        foreign,
        model,
        nonce,
    });

    let (calls, errors) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let limit = Arc::new(tokio::sync::Semaphore::new(16));
    let started = Instant::now();
    let end = started + Duration::from_secs_f64(minutes * 60.0);
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let mut next_sample = started;
    let mut samples: Vec<(f64, u64)> = Vec::new();
    let mut random = Random(0x9e37_79b9_7f4a_7c15 ^ nonce);
    println!("{rate} calls/s for {minutes} min; RSS of process {pid} every 10 s");
    while Instant::now() < end {
        if Instant::now() >= next_sample {
            let rss = rss_kib(pid)?;
            let at = started.elapsed().as_secs_f64();
            samples.push((at, rss));
            println!(
                "t={at:>5.0} s  rss={:>7.1} MiB  calls={}  errors={}",
                rss as f64 / 1024.0,
                calls.load(Ordering::Relaxed),
                errors.load(Ordering::Relaxed)
            );
            next_sample += Duration::from_secs(10);
        }
        tick.tick().await;
        let (draw, pick) = (random.below(100), random.below(1 << 30));
        let permit = limit.clone().acquire_owned().await?;
        let (channel, cast, calls, errors) =
            (channel.clone(), cast.clone(), calls.clone(), errors.clone());
        tokio::spawn(async move {
            if one_call(channel, cast, draw, pick).await.is_err() {
                errors.fetch_add(1, Ordering::Relaxed);
            }
            calls.fetch_add(1, Ordering::Relaxed);
            drop(permit);
        });
    }
    let _ = limit.acquire_many(16).await?;
    let final_rss = rss_kib(pid)?;
    samples.push((started.elapsed().as_secs_f64(), final_rss));
    let warm = samples
        .iter()
        .find(|(at, _)| *at >= 60.0)
        .map_or(samples[0].1, |s| s.1);
    let max = samples.iter().map(|s| s.1).max().unwrap_or(0);
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "{} calls ({} errors) in {:.0} s; RSS after warm-up {:.1} MiB, at the end {:.1} MiB, at most {:.1} MiB; drift {:+.1} %",
        calls.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
        mib(warm),
        mib(final_rss),
        mib(max),
        (final_rss as f64 - warm as f64) / warm as f64 * 100.0
    );
    let mut deleted = 0;
    for n in 0..POOL {
        let request = pb::DeleteFicheRequest {
            id: cast.bench_fiche(n, 0).id,
        };
        if fiches.delete_fiche(authed(request, &token)?).await.is_ok() {
            deleted += 1;
        }
    }
    println!("{deleted} bench fiches deleted");
    Ok(())
}
