//! Cost of one write in the matcher (`Matcher::apply` of one fiche) on the full demo
//! corpus (~199k fiches): what a gRPC upsert or delete waits for after the store's
//! commit, while suggestions wait for the write lock.
//!
//! `cargo run --release -p passerelle-benches --bin bench-apply [-- WRITES THREADS]`
//!
//! Builds the matcher, then applies WRITES (default 1,000) single-fiche writes of
//! three kinds, one at a time: an existing fiche changed (its offer text and call
//! status, so its text is analysed again and it leaves or joins the columns), a new
//! fiche inserted (a copy of an existing one under a new id), and a fiche deleted.
//! Reports the latency distribution of each kind. (That writes leave the matcher as
//! a fresh build would leave it is tested in `engine/src/ranking/apply_tests.rs`.)

use std::time::{Duration, Instant};

use passerelle_engine::fiche::{CallStatus, Fiche, FicheId};
use passerelle_engine::ranking::Matcher;

fn report(kind: &str, mut latencies: Vec<Duration>) {
    latencies.sort();
    let at =
        |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    println!(
        "apply, {kind}: {} writes; p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        latencies.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let writes: usize = args.next().map_or(Ok(1000), |a| a.parse())?;
    let threads: usize = args.next().map_or(Ok(0), |a| a.parse())?;
    let today = passerelle_datasets::demo_corpus_date();
    let corpus = passerelle_datasets::generate_demo_corpus(passerelle_datasets::DEFAULT_SEED)?;

    let started = Instant::now();
    let mut matcher = Matcher::new(corpus.clone(), today, threads)?;
    println!(
        "matcher build: {} fiches in {:.2} s",
        matcher.len(),
        started.elapsed().as_secs_f64()
    );

    let step = (corpus.len() / writes).max(1);
    let chosen: Vec<&Fiche> = corpus.iter().step_by(step).take(writes).collect();
    let (mut changed, mut inserted, mut deleted) = (Vec::new(), Vec::new(), Vec::new());
    for (n, fiche) in chosen.iter().enumerate() {
        let started;
        match n % 3 {
            0 => {
                let mut fiche = (*fiche).clone();
                let offer = fiche.offer.get_or_insert_with(Default::default);
                offer.text = Some(format!(
                    "Coopération sur l'eau potable et l'assainissement, échange {n}."
                ));
                if let Some(call) = &mut fiche.call {
                    call.status = match call.status {
                        CallStatus::Open => CallStatus::Closed,
                        CallStatus::Closed => CallStatus::Open,
                    };
                }
                started = Instant::now();
                matcher.apply(std::slice::from_ref(&fiche), &[]);
                changed.push(started.elapsed());
            }
            1 => {
                let mut fiche = (*fiche).clone();
                fiche.id = FicheId::parse(&format!("{}-NEW-{n}", fiche.id.country_prefix()))
                    .map_err(anyhow::Error::msg)?;
                fiche.partnerships.clear();
                started = Instant::now();
                matcher.apply(&[fiche], &[]);
                inserted.push(started.elapsed());
            }
            _ => {
                started = Instant::now();
                matcher.apply(&[], std::slice::from_ref(&fiche.id));
                deleted.push(started.elapsed());
            }
        }
    }
    report("a fiche changed", changed);
    report("a fiche inserted", inserted);
    report("a fiche deleted", deleted);
    println!("{} fiches after the writes", matcher.len());

    Ok(())
}
