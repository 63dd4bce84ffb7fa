//! Learning from the people (issue 13), measured on the full demo corpus (~199k
//! fiches) stored in a temporary data directory and answered by the engine's corpus:
//!
//! 1. **suggest latency** (`Corpus::suggest`, k = 10, the configured options) for
//!    QUERIES fiches spread over the id order, before anything is recorded: ROUNDS
//!    rounds, the median of each percentile over the rounds;
//! 2. **the weight fit**: staff decisions drawn from planted weights on real pairs
//!    (each French fiche of a spread, its candidates at ranks 1, 10, 50 and 100 under
//!    equal weights; accepted with probability σ(30 · (planted total − median))),
//!    recorded, then `Corpus::tune`: planted, configured and fitted weights, and the
//!    held-out metrics;
//! 3. **the effect of interests on rankings**: for French fiches of a spread, where
//!    their 20th suggestion goes when it says "interested" in them, then when they
//!    say it back (mutual); and a "not interested" in their first suggestion;
//! 4. interests and decisions recorded until **10 % of the fiches** have some, then
//!    the same suggest latency again, and the ratio.
//!
//! `cargo run --release -p passerelle-benches --bin bench-learning [-- QUERIES ROUNDS]`
//! (defaults 2000 and 5)

use std::collections::HashSet;
use std::time::Instant;

use anyhow::Context;
use passerelle_engine::corpus::TuneOptions;
use passerelle_engine::fiche::{FicheId, Side};
use passerelle_engine::ranking::SuggestOptions;
use passerelle_engine::scoring::{PerCriterion, Weights};
use passerelle_engine::store::{DecisionKind, InterestKind, NewDecision, NewInterest};
use passerelle_engine::{Corpus, CorpusOptions};

/// The weights staff decisions are drawn from (not the defaults).
const PLANTED: PerCriterion<f64> = PerCriterion {
    thematic: 0.6,
    geography: 0.1,
    size: 0.2,
    underserved: 0.1,
};

/// A small deterministic generator: the same decisions on every run.
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() -> anyhow::Result<()> {
    let queries: usize = std::env::args()
        .nth(1)
        .map_or(Ok(2000), |a| a.parse())
        .context("QUERIES: a number")?;
    let rounds: usize = std::env::args()
        .nth(2)
        .map_or(Ok(5), |a| a.parse())
        .context("ROUNDS: a number")?;
    let dir = tempfile::tempdir()?;
    let options = CorpusOptions {
        today: Some(passerelle_datasets::demo_corpus_date()),
        ..CorpusOptions::default()
    };
    let corpus = Corpus::create_or_open(dir.path(), &options)?;
    let fiches = passerelle_datasets::generate_demo_corpus(passerelle_datasets::DEFAULT_SEED)?;
    let ids: Vec<FicheId> = fiches.iter().map(|f| f.id.clone()).collect();
    let french: Vec<FicheId> = fiches
        .iter()
        .filter(|f| f.side() == Side::French)
        .map(|f| f.id.clone())
        .collect();
    let started = Instant::now();
    corpus.upsert(&fiches)?;
    drop(fiches);
    println!(
        "store: {} fiches written in {:.1} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );

    let step = (ids.len() / queries).max(1);
    let chosen: Vec<&FicheId> = ids.iter().step_by(step).take(queries).collect();
    let before = latency(&corpus, &chosen, rounds)?;
    println!("suggest, nothing recorded:      {}", before.line());

    let mut touched: HashSet<FicheId> = HashSet::new();
    fit(&corpus, &french, &mut touched)?;
    effect(&corpus, &french, &mut touched)?;
    fill_to_a_tenth(&corpus, &ids, &mut touched)?;
    println!(
        "recorded: interests or decisions on {} fiches ({:.1} %)",
        touched.len(),
        100.0 * touched.len() as f64 / ids.len() as f64,
    );
    let after = latency(&corpus, &chosen, rounds)?;
    println!("suggest, 10 % recorded:         {}", after.line());
    println!(
        "ratio after / before: p50 {:.3}, p90 {:.3}, p99 {:.3}",
        after.p50 / before.p50,
        after.p90 / before.p90,
        after.p99 / before.p99
    );
    Ok(())
}

/// Latency percentiles, in milliseconds.
struct Latency {
    queries: usize,
    rounds: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
}

impl Latency {
    fn line(&self) -> String {
        format!(
            "{} queries × {} rounds, medians: p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            self.queries, self.rounds, self.p50, self.p90, self.p99, self.max
        )
    }
}

fn latency(corpus: &Corpus, chosen: &[&FicheId], rounds: usize) -> anyhow::Result<Latency> {
    let options = corpus.suggest_options();
    for id in chosen.iter().take(50) {
        corpus.suggest(id, &options)?; // warm-up (the first call builds the matcher)
    }
    let mut percentiles: [Vec<f64>; 4] = Default::default();
    for _ in 0..rounds.max(1) {
        let mut ms: Vec<f64> = Vec::with_capacity(chosen.len());
        for id in chosen {
            let started = Instant::now();
            corpus.suggest(id, &options)?;
            ms.push(started.elapsed().as_secs_f64() * 1e3);
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
        for (list, q) in percentiles.iter_mut().zip([0.5, 0.9, 0.99, 1.0]) {
            list.push(at(q));
        }
    }
    let [p50, p90, p99, max] = percentiles.map(passerelle_benches::median);
    Ok(Latency {
        queries: chosen.len(),
        rounds: rounds.max(1),
        p50,
        p90,
        p99,
        max,
    })
}

fn decide(corpus: &Corpus, a: &FicheId, b: &FicheId, kind: DecisionKind) -> anyhow::Result<()> {
    corpus.record_decision(&NewDecision {
        a: a.clone(),
        b: b.clone(),
        kind,
        reason: None,
        note: String::new(),
        reviewer: "bench".into(),
        at: chrono::Utc::now(),
    })?;
    Ok(())
}

fn say(corpus: &Corpus, by: &FicheId, to: &FicheId, kind: InterestKind) -> anyhow::Result<()> {
    corpus.record_interest(&NewInterest {
        fiche: by.clone(),
        candidate: to.clone(),
        kind,
        note: String::new(),
        actor: "bench".into(),
        at: chrono::Utc::now(),
    })?;
    Ok(())
}

/// Decisions drawn from [`PLANTED`] on real pairs, then the fit.
fn fit(corpus: &Corpus, french: &[FicheId], touched: &mut HashSet<FicheId>) -> anyhow::Result<()> {
    const FICHES: usize = 1500;
    const RANKS: [usize; 4] = [0, 9, 49, 99];
    let equal = SuggestOptions {
        k: 100,
        weights: Weights::from_fn(|_| 0.25),
        ..corpus.suggest_options()
    };
    let mut pairs = Vec::new();
    for id in french
        .iter()
        .step_by((french.len() / FICHES).max(1))
        .take(FICHES)
    {
        let found = corpus.suggest(id, &equal)?;
        for rank in RANKS {
            if let Some(s) = found.items.get(rank) {
                let scores = s.breakdown.map(|_, part| part.score);
                pairs.push((id.clone(), s.id.clone(), PLANTED.total(scores.to_array())));
            }
        }
    }
    let mut totals: Vec<f64> = pairs.iter().map(|p| p.2).collect();
    totals.sort_by(f64::total_cmp);
    let median = totals[totals.len() / 2];
    let mut rng = Lcg(13);
    let started = Instant::now();
    for (f, x, total) in &pairs {
        let p = 1.0 / (1.0 + (-(30.0 * (total - median))).exp());
        let kind = if rng.unit() < p {
            DecisionKind::Accept
        } else {
            DecisionKind::Reject
        };
        decide(corpus, f, x, kind)?;
        touched.insert(f.clone());
        touched.insert(x.clone());
    }
    println!(
        "fit: {} decisions drawn from planted weights recorded in {:.1} s",
        pairs.len(),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let report = corpus.tune(&TuneOptions::default())?;
    println!(
        "fit: {} judged pairs ({} accepted, {} rejected), {} folds, alpha {} ({:.1} s)",
        report.judged,
        report.accepted,
        report.rejected,
        report.folds,
        report.model.alpha,
        started.elapsed().as_secs_f64()
    );
    println!("  criterion        planted  configured  fitted");
    for (criterion, planted) in PLANTED.entries() {
        println!(
            "  {:<16} {:>7.3} {:>11.3} {:>7.3}",
            criterion.key(),
            planted,
            report.before.get(criterion),
            report.after.get(criterion)
        );
    }
    for (name, m) in [
        ("configured", &report.held_out_before),
        ("fitted", &report.held_out_after),
    ] {
        println!(
            "  held out, {name:<10}: AUC {:.3}, acceptance at 10 {:.3}, rejected in the top 10 {:.3}",
            m.auc.unwrap_or(f64::NAN),
            m.acceptance_at_k().unwrap_or(f64::NAN),
            m.rejected_share_in_top_k().unwrap_or(f64::NAN)
        );
    }
    Ok(())
}

/// Where a candidate goes when it, then both, say "interested"; what "not
/// interested" removes.
fn effect(
    corpus: &Corpus,
    french: &[FicheId],
    touched: &mut HashSet<FicheId>,
) -> anyhow::Result<()> {
    const FICHES: usize = 200;
    const FROM_RANK: usize = 20;
    let options = SuggestOptions {
        k: 100,
        ..corpus.suggest_options()
    };
    let rank_of = |of: &FicheId, who: &FicheId| -> anyhow::Result<Option<usize>> {
        let found = corpus.suggest(of, &options)?;
        Ok(found.items.iter().position(|s| &s.id == who).map(|r| r + 1))
    };
    let (mut one_sided, mut mutual) = (Vec::new(), Vec::new());
    let (mut removed, mut listed_other_way, mut kept_other_way, mut tried) = (0, 0, 0, 0);
    // Offset from the fit's spread, so that these fiches have no decision yet.
    for id in french
        .iter()
        .skip(7)
        .step_by((french.len() / FICHES).max(1))
        .take(FICHES)
    {
        let found = corpus.suggest(id, &options)?;
        let (Some(first), Some(candidate)) = (found.items.first(), found.items.get(FROM_RANK - 1))
        else {
            continue;
        };
        let (first, candidate) = (first.id.clone(), candidate.id.clone());
        tried += 1;
        say(corpus, &candidate, id, InterestKind::Interested)?;
        one_sided.push(rank_of(id, &candidate)?.unwrap_or(usize::MAX));
        say(corpus, id, &candidate, InterestKind::Interested)?;
        mutual.push(rank_of(id, &candidate)?.unwrap_or(usize::MAX));
        let other_way = rank_of(&first, id)?;
        say(corpus, id, &first, InterestKind::NotInterested)?;
        removed += usize::from(rank_of(id, &first)?.is_none());
        // Only French fiches with an open call are suggested to foreign ones.
        if other_way.is_some() {
            listed_other_way += 1;
            kept_other_way += usize::from(rank_of(&first, id)? == other_way);
        }
        touched.extend([id.clone(), candidate, first]);
    }
    let summary = |ranks: &mut Vec<usize>| {
        ranks.sort_unstable();
        let median = ranks[ranks.len() / 2];
        let top10 = ranks.iter().filter(|&&r| r <= 10).count();
        (median, top10)
    };
    let (one_median, one_top) = summary(&mut one_sided);
    let (mutual_median, mutual_top) = summary(&mut mutual);
    println!(
        "interest: {tried} French fiches, their suggestion ranked {FROM_RANK} (bonus {} per side)",
        corpus.policy().interest_bonus
    );
    println!(
        "  it says \"interested\": median rank {one_median}, in the top 10 for {one_top}/{tried}"
    );
    println!(
        "  both say it (mutual): median rank {mutual_median}, in the top 10 for {mutual_top}/{tried}"
    );
    println!(
        "  \"not interested\" in their first suggestion: removed for {removed}/{tried}; where that fiche lists the French one ({listed_other_way}), its rank there unchanged for {kept_other_way}/{listed_other_way}"
    );
    Ok(())
}

/// Interests (one "interested", one "not interested") and a decision for fiches
/// spread over the id order, until a tenth of the fiches has something recorded.
fn fill_to_a_tenth(
    corpus: &Corpus,
    ids: &[FicheId],
    touched: &mut HashSet<FicheId>,
) -> anyhow::Result<()> {
    let target = ids.len().div_ceil(10);
    let options = corpus.suggest_options();
    let (mut interests, mut decisions) = (0, 0);
    let started = Instant::now();
    for (n, id) in ids.iter().step_by(7).enumerate() {
        if touched.len() >= target {
            break;
        }
        if touched.contains(id) {
            continue;
        }
        let found = corpus.suggest(id, &options)?;
        let (Some(a), Some(b), Some(c)) =
            (found.items.get(2), found.items.get(4), found.items.get(6))
        else {
            continue;
        };
        say(corpus, id, &a.id, InterestKind::Interested)?;
        say(corpus, id, &b.id, InterestKind::NotInterested)?;
        let kind = if n % 2 == 0 {
            DecisionKind::Shortlist
        } else {
            DecisionKind::Reject
        };
        decide(corpus, id, &c.id, kind)?;
        interests += 2;
        decisions += 1;
        touched.insert(id.clone());
    }
    println!(
        "fill: {interests} interests and {decisions} decisions recorded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
