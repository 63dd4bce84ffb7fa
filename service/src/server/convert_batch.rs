//! Conversions between the `BatchService` messages and the engine's batch types.
//! Request errors name the field as the client wrote it (`spec.k`,
//! `spec.agenda.slots[1].start`).

use passerelle_engine::batch::agenda::{self, AgendaRow, Slot};
use passerelle_engine::batch::export::StaleFiches;
use passerelle_engine::batch::{
    AgendaSpec, BatchPair, BatchSpec, ExcludedPair, Member, NameCorrection, Pairing, Phase, Scope,
    Unassigned,
};
use passerelle_engine::batch::{BatchRun, RunId, RunStatus, RunSummary};
use passerelle_engine::fiche::FieldError;
use passerelle_engine::scoring::Weights;
use passerelle_proto::v1 as pb;

use super::batch_runner::LiveProgress;
use super::convert::{invalid, weights};

/// Default tables per slot.
pub const DEFAULT_TABLES: usize = 20;

fn in_spec(mut error: FieldError) -> FieldError {
    error.field = format!("spec.{}", error.field);
    error
}

fn scope(field: &str, text: &str) -> Result<Scope, FieldError> {
    if text.trim().is_empty() {
        return Err(invalid(field, "", "obligatoire : all, region:…, ids:…"));
    }
    Scope::parse(text).map_err(|reason| FieldError::new(field, text, reason))
}

fn member(field: &str, text: &str) -> Result<Member, FieldError> {
    match text.trim() {
        "" => Err(invalid(field, "", "donnez un identifiant ou un nom")),
        text => Ok(Member::parse(text)),
    }
}

fn slot(i: usize, s: &pb::BatchSlot) -> Result<Slot, FieldError> {
    let time = |name: &str, value: &str| {
        agenda::parse_time(value)
            .map_err(|reason| invalid(&format!("spec.agenda.slots[{i}].{name}"), value, &reason))
    };
    Ok(Slot {
        label: s.label.clone(),
        start: time("start", &s.start)?,
        end: time("end", &s.end)?,
    })
}

/// The spec of a `StartBatch` request, with defaults filled in and bounds checked
/// (names are resolved later, on the server's name table); weights it does not give
/// keep `default_weights` (the configured ones).
pub fn spec(p: Option<&pb::BatchSpec>, default_weights: Weights) -> Result<BatchSpec, FieldError> {
    let p = p.ok_or_else(|| invalid("spec", "", "obligatoire"))?;
    let mut spec = BatchSpec::new(
        scope("spec.french", &p.french)?,
        scope("spec.foreign", &p.foreign)?,
    );
    let or = |value: u32, default: usize| match value {
        0 => default,
        v => v as usize,
    };
    spec.k = or(p.k, spec.k);
    spec.weights = weights(p.weights.as_ref(), default_weights).map_err(in_spec)?;
    spec.min_score = p.min_score;
    spec.french_capacity = or(p.french_capacity, 1);
    spec.foreign_capacity = or(p.foreign_capacity, 1);
    spec.require_mutual = p.require_mutual;
    spec.pairing = match pb::BatchPairing::try_from(p.pairing) {
        Ok(pb::BatchPairing::Unspecified | pb::BatchPairing::Optimal) => Pairing::Optimal,
        Ok(pb::BatchPairing::Stable) => Pairing::Stable,
        Ok(pb::BatchPairing::None) => Pairing::None,
        Err(_) => {
            return Err(invalid(
                "spec.pairing",
                p.pairing,
                "OPTIMAL, STABLE ou NONE attendu",
            ));
        }
    };
    spec.exclude = p
        .exclude
        .iter()
        .enumerate()
        .map(|(i, e)| member(&format!("spec.exclude[{i}]"), e))
        .collect::<Result<_, _>>()?;
    spec.exclude_pairs = p
        .exclude_pairs
        .iter()
        .enumerate()
        .map(|(i, pair)| {
            Ok(ExcludedPair {
                french: member(&format!("spec.exclude_pairs[{i}].french"), &pair.french)?,
                foreign: member(&format!("spec.exclude_pairs[{i}].foreign"), &pair.foreign)?,
            })
        })
        .collect::<Result<_, FieldError>>()?;
    spec.agenda = match &p.agenda {
        Some(a) => Some(AgendaSpec {
            slots: a
                .slots
                .iter()
                .enumerate()
                .map(|(i, s)| slot(i, s))
                .collect::<Result<_, _>>()?,
            tables: or(a.tables, DEFAULT_TABLES),
        }),
        None => None,
    };
    // Bounds and names are checked together against the corpus, every problem
    // reported at once (`Corpus::check_batch`).
    Ok(spec)
}

/// A name of a spec that fuzzy matching corrected.
pub fn correction(c: &NameCorrection) -> pb::NameCorrection {
    pb::NameCorrection {
        field: format!("spec.{}", c.field),
        typed: c.typed.clone(),
        fiche_id: c.id.as_str().to_owned(),
        fiche_name: c.name.clone(),
    }
}

fn spec_to_proto(spec: &BatchSpec) -> pb::BatchSpec {
    let w = &spec.weights;
    pb::BatchSpec {
        french: spec.french.to_string(),
        foreign: spec.foreign.to_string(),
        k: spec.k as u32,
        weights: Some(pb::Weights {
            thematic: Some(w.thematic),
            geography: Some(w.geography),
            size: Some(w.size),
            underserved: Some(w.underserved),
        }),
        min_score: spec.min_score,
        french_capacity: spec.french_capacity as u32,
        foreign_capacity: spec.foreign_capacity as u32,
        pairing: match spec.pairing {
            Pairing::Optimal => pb::BatchPairing::Optimal,
            Pairing::Stable => pb::BatchPairing::Stable,
            Pairing::None => pb::BatchPairing::None,
        } as i32,
        exclude: spec.exclude.iter().map(Member::to_string).collect(),
        exclude_pairs: spec
            .exclude_pairs
            .iter()
            .map(|p| pb::ExcludedPair {
                french: p.french.to_string(),
                foreign: p.foreign.to_string(),
            })
            .collect(),
        agenda: spec.agenda.as_ref().map(|a| pb::BatchAgenda {
            slots: a
                .slots
                .iter()
                .map(|s| pb::BatchSlot {
                    label: s.label.clone(),
                    start: minutes(&s.start),
                    end: minutes(&s.end),
                })
                .collect(),
            tables: a.tables as u32,
        }),
        require_mutual: spec.require_mutual,
    }
}

fn minutes(time: &chrono::NaiveDateTime) -> String {
    time.format("%Y-%m-%dT%H:%M").to_string()
}

/// The proto status of a run, and its failure message.
pub fn status(status: &RunStatus) -> (pb::BatchStatus, String) {
    match status {
        RunStatus::Queued => (pb::BatchStatus::Queued, String::new()),
        RunStatus::Running => (pb::BatchStatus::Running, String::new()),
        RunStatus::Done => (pb::BatchStatus::Done, String::new()),
        RunStatus::Failed(message) => (pb::BatchStatus::Failed, message.clone()),
        RunStatus::Cancelled => (pb::BatchStatus::Cancelled, String::new()),
    }
}

fn summary(s: &RunSummary) -> pb::BatchSummary {
    pb::BatchSummary {
        french_count: s.french_count,
        foreign_count: s.foreign_count,
        scored: s.scored,
        assigned: s.assigned,
        total: s.total,
        unassigned: s.unassigned,
        agenda: s.agenda,
        unplaced: s.unplaced,
    }
}

pub fn run(run: &BatchRun) -> pb::BatchRun {
    let (status, message) = status(&run.status);
    pb::BatchRun {
        run_id: run.id.get(),
        status: status as i32,
        message,
        spec: Some(spec_to_proto(&run.spec)),
        scoring_date: run.today.to_string(),
        generation: run.generation,
        pairs_scored: run.pairs_scored,
        total_pairs: run.pairs_total,
        origin: run.origin.clone(),
        created_at: run.created_at.clone(),
        started_at: run.started_at.clone().unwrap_or_default(),
        finished_at: run.finished_at.clone().unwrap_or_default(),
        summary: run.summary.as_ref().map(summary),
    }
}

pub fn progress(id: RunId, live: &LiveProgress) -> pb::BatchProgress {
    let (status, message) = status(&live.status);
    pb::BatchProgress {
        run_id: id.get(),
        status: status as i32,
        pairs_scored: live.scored,
        total_pairs: live.total,
        pairs_per_second: live.rate(),
        seconds_left: live.seconds_left(),
        message,
        phase: live.phase.map_or(pb::BatchPhase::Unspecified, phase) as i32,
        phase_done: live.phase_done,
        phase_size: live.phase_size,
    }
}

fn phase(phase: Phase) -> pb::BatchPhase {
    match phase {
        Phase::Snapshot => pb::BatchPhase::Snapshot,
        Phase::Scoring => pb::BatchPhase::Scoring,
        Phase::Pairing => pb::BatchPhase::Pairing,
        Phase::Writing => pb::BatchPhase::Writing,
    }
}

/// A pair, its fiches flagged when `stale` holds them.
pub fn pair(p: &BatchPair, stale: &StaleFiches) -> pb::BatchPair {
    pb::BatchPair {
        french_id: p.french.as_str().to_owned(),
        french_name: p.french_name.clone(),
        foreign_id: p.foreign.as_str().to_owned(),
        foreign_name: p.foreign_name.clone(),
        score: p.total,
        french_stale: stale.contains(&p.french),
        foreign_stale: stale.contains(&p.foreign),
    }
}

pub fn unassigned(u: &Unassigned) -> pb::UnassignedFiche {
    pb::UnassignedFiche {
        id: u.id.as_str().to_owned(),
        name: u.name.clone(),
        reason: u.reason.clone(),
    }
}

pub fn agenda_entry(row: &AgendaRow, stale: &StaleFiches) -> pb::AgendaEntry {
    pb::AgendaEntry {
        slot: row.slot.clone(),
        start: minutes(&row.start),
        end: minutes(&row.end),
        table: row.table as u32,
        pair: Some(pb::BatchPair {
            french_id: row.french.as_str().to_owned(),
            french_name: row.french_name.clone(),
            foreign_id: row.foreign.as_str().to_owned(),
            foreign_name: row.foreign_name.clone(),
            score: row.score,
            french_stale: stale.contains(&row.french),
            foreign_stale: stale.contains(&row.foreign),
        }),
    }
}
