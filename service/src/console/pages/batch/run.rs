//! A run's page: what it was asked, where it stands (a progress fragment the page
//! polls while the run is queued or running — no stream held open — and a cancel
//! button), and once done its results, one view at a time: pairs assigned, pairs
//! kept, fiches without a partner and why, the agenda as a grid of slots × tables
//! searchable by participant, and the downloads.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use passerelle_engine::batch::agenda::AgendaRow;
use passerelle_engine::batch::{BatchPair, Unassigned};
use passerelle_engine::batch::{BatchRun, ResultItem, RunStatus};
use passerelle_engine::french;

use super::super::super::error::ConsoleError;
use super::super::super::params::Params;
use super::super::super::{Console, StaffSession, blocking, labels};
use super::super::{Layout, html};
use super::{RunLine, pairs, run_id, scope_text};
use crate::server::batch_runner::LiveProgress;

/// Rows of a list per page.
pub(crate) const PAGE_ROWS: usize = 100;
/// Characters of a participant search.
const MAX_PARTICIPANT_CHARS: usize = 200;

/// Where a run stands, as the progress fragment shows it.
#[derive(Debug, Clone)]
pub(crate) struct ProgressView {
    pub run: u64,
    pub status: String,
    pub class: &'static str,
    pub finished: bool,
    pub cancellable: bool,
    /// `12 345 paires évaluées sur 67 890`.
    pub counts: String,
    /// 0 to 100, in steps of 5 (a CSS class draws the bar).
    pub percent: u32,
    pub percent_text: String,
    pub rate: Option<String>,
    pub left: Option<String>,
    /// `étape 2 sur 4 : calcul des paires (12 345 sur 67 890)`, while running here.
    pub phase: Option<String>,
    pub cancel_requested: bool,
}

impl ProgressView {
    pub fn new(run: &BatchRun, live: Option<&LiveProgress>) -> ProgressView {
        let (status, scored, total) = match live {
            Some(live) => (live.status.clone(), live.scored, live.total),
            None => (run.status.clone(), run.pairs_scored, run.pairs_total),
        };
        let share = if total > 0 {
            (scored as f64 / total as f64).clamp(0.0, 1.0)
        } else if status == RunStatus::Done {
            1.0
        } else {
            0.0
        };
        let counts = match (status.clone(), total) {
            (RunStatus::Queued, _) => "en attente de son tour (une session à la fois)".to_owned(),
            (_, 0) => "préparation (lecture des fiches)".to_owned(),
            _ => format!(
                "{} paires évaluées sur {}",
                french::integer(scored),
                french::integer(total)
            ),
        };
        ProgressView {
            run: run.id.get(),
            status: labels::run_status(&status),
            class: labels::run_status_class(&status),
            finished: status.is_finished(),
            cancellable: !status.is_finished(),
            counts,
            percent: ((share * 20.0).floor() as u32) * 5,
            percent_text: french::percent(share),
            rate: live
                .map(LiveProgress::rate)
                .filter(|r| *r > 0.0)
                .map(|r| format!("{} paires par seconde", french::quantity(r))),
            left: live
                .and_then(LiveProgress::seconds_left)
                .map(|s| french::duration(std::time::Duration::from_secs_f64(s))),
            phase: live
                .filter(|l| l.status == RunStatus::Running)
                .and_then(|l| l.phase.map(|p| (p, l.phase_done, l.phase_size)))
                .map(|(phase, done, size)| {
                    let step = labels::PHASES.iter().position(|p| *p == phase).unwrap_or(0) + 1;
                    let work = match (done, size) {
                        (0, 0) => String::new(),
                        (done, 0) => format!(" ({})", french::integer(done)),
                        (done, size) => {
                            format!(" ({} sur {})", french::integer(done), french::integer(size))
                        }
                    };
                    format!(
                        "étape {step} sur {} : {}{work}",
                        labels::PHASES.len(),
                        labels::phase_label(phase)
                    )
                }),
            cancel_requested: run.cancel_requested && !status.is_finished(),
        }
    }
}

#[derive(Template)]
#[template(path = "batch_progress.html")]
struct ProgressFragment {
    p: ProgressView,
}

/// `GET /console/sessions/{id}/progression`: polled by the page while the run is
/// queued or running; once finished, the page is reloaded (`HX-Refresh`) to show
/// the results.
pub(crate) async fn progress(
    State(console): State<Arc<Console>>,
    _session: StaffSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let id = run_id(&id)?;
        Params::parse(query.as_deref().unwrap_or(""), &[])?;
        let console = console.clone();
        blocking(move || {
            let run = console
                .corpus
                .batch_run(id)
                .map_err(ConsoleError::from_engine)?;
            let live = console.corpus.live_progress(id);
            Ok(ProgressView::new(&run, live.as_ref()))
        })
        .await
    }
    .await;
    match result {
        Ok(p) => {
            let finished = p.finished;
            let mut response = html(StatusCode::OK, &ProgressFragment { p });
            if finished {
                response
                    .headers_mut()
                    .insert("hx-refresh", HeaderValue::from_static("true"));
            }
            response
        }
        Err(error) => error.fragment().into_response(),
    }
}

/// The views of a done run's results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    Assigned,
    Scored,
    Unassigned,
    Agenda,
}

impl View {
    pub const ALL: [View; 4] = [View::Assigned, View::Scored, View::Unassigned, View::Agenda];

    pub fn value(self) -> &'static str {
        match self {
            View::Assigned => "affectations",
            View::Scored => "paires",
            View::Unassigned => "sans-partenaire",
            View::Agenda => "agenda",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            View::Assigned => "Paires appariées",
            View::Scored => "Paires retenues",
            View::Unassigned => "Sans partenaire",
            View::Agenda => "Agenda",
        }
    }
}

/// A tab of the results.
#[derive(Debug, Clone)]
struct Tab {
    href: String,
    label: &'static str,
    count: String,
    current: bool,
}

#[derive(Debug, Clone)]
struct PairRow {
    rank: usize,
    french: String,
    french_href: String,
    foreign: String,
    foreign_href: String,
    score: String,
    pair_href: String,
}

impl PairRow {
    fn new(rank: usize, p: &BatchPair) -> PairRow {
        PairRow {
            rank,
            french: p.french_name.clone(),
            french_href: format!("/console/fiches/{}", p.french),
            foreign: p.foreign_name.clone(),
            foreign_href: format!("/console/fiches/{}", p.foreign),
            score: labels::score(p.total),
            pair_href: format!("/console/paire?a={}&b={}", p.french, p.foreign),
        }
    }
}

#[derive(Debug, Clone)]
struct UnassignedRow {
    name: String,
    href: String,
    id: String,
    reason: String,
}

/// One cell of the agenda grid.
#[derive(Debug, Clone)]
struct Cell {
    french: String,
    foreign: String,
    score: String,
    /// The search matches one of the two.
    found: bool,
}

/// One slot: its times and a cell per table.
#[derive(Debug, Clone)]
struct SlotRow {
    day: String,
    label: String,
    times: String,
    cells: Vec<Option<Cell>>,
}

/// A participant and their calendar.
#[derive(Debug, Clone)]
struct Calendar {
    name: String,
    id: String,
    href: String,
    meetings: usize,
    found: bool,
}

#[derive(Debug, Clone, Default)]
struct Results {
    tabs: Vec<Tab>,
    view: &'static str,
    pairs: Vec<PairRow>,
    unassigned: Vec<UnassignedRow>,
    tables: Vec<usize>,
    slots: Vec<SlotRow>,
    unplaced: Vec<PairRow>,
    calendars: Vec<Calendar>,
    participant: String,
    /// Meetings of the participants the search matches.
    found: usize,
    previous: Option<String>,
    next: Option<String>,
    page_text: String,
    summary: Vec<(&'static str, String)>,
    downloads: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "batch_run.html")]
struct RunPage {
    layout: Layout,
    line: RunLine,
    spec: Vec<(&'static str, String)>,
    /// The progress (named as `batch_progress.html`, which the page includes, reads it).
    p: ProgressView,
    failure: Option<String>,
    done: bool,
    results: Results,
}

/// What the page was asked to show.
struct Asked {
    view: Option<View>,
    page: usize,
    participant: String,
}

fn asked(query: &str) -> Result<Asked, ConsoleError> {
    let params = Params::parse(query, &["vue", "page", "participant"])?;
    let view = match params.get("vue") {
        None => None,
        Some(value) => Some(
            View::ALL
                .into_iter()
                .find(|v| v.value() == value)
                .ok_or_else(|| {
                    ConsoleError::field(
                        "vue",
                        "attendu affectations, paires, sans-partenaire ou agenda.",
                    )
                })?,
        ),
    };
    let participant: String = params.get("participant").unwrap_or("").to_owned();
    if participant.chars().count() > MAX_PARTICIPANT_CHARS {
        return Err(ConsoleError::field(
            "participant",
            format!("trop long (au plus {MAX_PARTICIPANT_CHARS} caractères)."),
        ));
    }
    Ok(Asked {
        view,
        page: params.integer("page", 1, 1_000_000)?.unwrap_or(1),
        participant,
    })
}

fn spec_lines(run: &BatchRun) -> Vec<(&'static str, String)> {
    let spec = &run.spec;
    let mut lines = vec![
        ("Périmètre français", scope_text(&spec.french)),
        ("Périmètre étranger", scope_text(&spec.foreign)),
        ("Paires retenues par collectivité", spec.k.to_string()),
        (
            "Appariement",
            labels::pairing_label(spec.pairing).to_owned(),
        ),
    ];
    if pairs(spec) {
        lines.push((
            "Rendez-vous par collectivité",
            format!(
                "{} par collectivité française, {} par collectivité étrangère",
                spec.french_capacity, spec.foreign_capacity
            ),
        ));
    }
    if spec.min_score > 0.0 {
        lines.push(("Score minimal", labels::score(spec.min_score)));
    }
    let weights = spec
        .weights
        .entries()
        .map(|(c, w)| format!("{} {}", c.label(), french::decimal(*w, 2)))
        .collect::<Vec<_>>()
        .join(", ");
    lines.push(("Poids des critères", weights));
    if !spec.exclude.is_empty() || !spec.exclude_pairs.is_empty() {
        lines.push((
            "Exclusions",
            format!(
                "{} collectivité(s), {} paire(s), et les paires rejetées par l'équipe",
                spec.exclude.len(),
                spec.exclude_pairs.len()
            ),
        ));
    }
    if let Some(agenda) = &spec.agenda {
        lines.push((
            "Agenda",
            format!(
                "{} créneau(x), {} table(s) par créneau",
                agenda.slots.len(),
                agenda.tables
            ),
        ));
    }
    lines.push((
        "Date de référence",
        run.today.format("%d/%m/%Y").to_string(),
    ));
    if let Some(generation) = run.generation {
        lines.push(("Génération des données lues", french::integer(generation)));
    }
    if let Some(started) = &run.started_at {
        lines.push(("Démarrée le", labels::utc_time(started)));
    }
    if let Some(finished) = &run.finished_at {
        lines.push(("Terminée le", labels::utc_time(finished)));
    }
    lines
}

/// Whether `text` (folded) contains the search (folded).
fn matches(search: &str, name: &str, id: &str) -> bool {
    !search.is_empty()
        && (passerelle_engine::text::fold(name).contains(search) || id.eq_ignore_ascii_case(search))
}

/// Reads what the view needs of a done run's results, in one pass that stops once
/// the view's list is read.
fn results(console: &Console, run: &BatchRun, asked: &Asked) -> Result<Results, ConsoleError> {
    let summary = run
        .summary
        .ok_or_else(|| ConsoleError::internal("done run without summary", &run.id))?;
    let pairing = pairs(&run.spec);
    let has_agenda = run.spec.agenda.is_some();
    let default_view = if pairing {
        View::Assigned
    } else {
        View::Scored
    };
    let view = asked.view.unwrap_or(default_view);
    if (!pairing && matches!(view, View::Assigned | View::Unassigned))
        || (!has_agenda && view == View::Agenda)
    {
        return Err(ConsoleError::field(
            "vue",
            "cette session n'a pas ce résultat (sans appariement ou sans agenda).",
        ));
    }
    let start = (asked.page - 1) * PAGE_ROWS;
    let mut scored_seen = 0usize;
    let mut assigned_seen = 0usize;
    let mut unassigned_seen = 0usize;
    let mut pairs_out = Vec::new();
    let mut unassigned_out: Vec<Unassigned> = Vec::new();
    let mut agenda: Vec<AgendaRow> = Vec::new();
    let mut unplaced: Vec<BatchPair> = Vec::new();
    let in_page = |seen: usize| seen >= start && seen < start + PAGE_ROWS;
    console
        .corpus
        .visit_batch_results(run.id, &mut |item| {
            match item {
                ResultItem::Scored(p) => {
                    if view == View::Scored {
                        if in_page(scored_seen) {
                            pairs_out.push(p);
                        } else if scored_seen >= start + PAGE_ROWS {
                            return ControlFlow::Break(());
                        }
                    }
                    scored_seen += 1;
                }
                ResultItem::Assigned(p) => {
                    if view == View::Assigned && in_page(assigned_seen) {
                        pairs_out.push(p);
                    } else if view == View::Assigned && assigned_seen >= start + PAGE_ROWS {
                        return ControlFlow::Break(());
                    }
                    assigned_seen += 1;
                }
                ResultItem::Unassigned(u) => {
                    if view == View::Unassigned && in_page(unassigned_seen) {
                        unassigned_out.push(u);
                    } else if view == View::Unassigned && unassigned_seen >= start + PAGE_ROWS {
                        return ControlFlow::Break(());
                    }
                    unassigned_seen += 1;
                }
                ResultItem::Agenda(row) => {
                    if view != View::Agenda {
                        return ControlFlow::Break(());
                    }
                    agenda.push(row);
                }
                ResultItem::Unplaced(p) => unplaced.push(p),
            }
            ControlFlow::Continue(())
        })
        .map_err(ConsoleError::from_engine)?;
    let count = |n: u64| labels::count(n);
    let base = format!("/console/sessions/{}", run.id);
    let mut tabs = Vec::new();
    for v in View::ALL {
        let n = match v {
            View::Assigned if pairing => summary.assigned,
            View::Scored => summary.scored,
            View::Unassigned if pairing => summary.unassigned,
            View::Agenda if has_agenda => summary.agenda,
            _ => continue,
        };
        tabs.push(Tab {
            href: format!("{base}?vue={}", v.value()),
            label: v.label(),
            count: count(n),
            current: v == view,
        });
    }
    let listed = match view {
        View::Assigned => summary.assigned,
        View::Scored => summary.scored,
        View::Unassigned => summary.unassigned,
        View::Agenda => 0,
    } as usize;
    let link = |page: usize| format!("{base}?vue={}&page={page}", view.value());
    let mut out = Results {
        tabs,
        view: view.value(),
        pairs: pairs_out
            .iter()
            .enumerate()
            .map(|(i, p)| PairRow::new(start + i + 1, p))
            .collect(),
        unassigned: unassigned_out
            .iter()
            .map(|u| UnassignedRow {
                name: u.name.clone(),
                href: format!("/console/fiches/{}", u.id),
                id: u.id.to_string(),
                reason: u.reason.clone(),
            })
            .collect(),
        previous: (asked.page > 1 && view != View::Agenda).then(|| link(asked.page - 1)),
        next: (start + PAGE_ROWS < listed && view != View::Agenda).then(|| link(asked.page + 1)),
        page_text: if listed > PAGE_ROWS {
            format!(
                "lignes {} à {} sur {}",
                count((start + 1) as u64),
                count(listed.min(start + PAGE_ROWS) as u64),
                count(listed as u64)
            )
        } else {
            String::new()
        },
        summary: summary_lines(&summary, pairing, has_agenda),
        downloads: downloads(run, pairing, has_agenda),
        ..Results::default()
    };
    if view == View::Agenda {
        agenda_grid(&mut out, &agenda, &unplaced, asked, &base);
    }
    Ok(out)
}

fn summary_lines(
    s: &passerelle_engine::batch::RunSummary,
    pairing: bool,
    agenda: bool,
) -> Vec<(&'static str, String)> {
    let count = |n: u64| labels::count(n);
    let mut lines = vec![
        (
            "Participants",
            format!(
                "{} collectivités françaises × {} collectivités étrangères",
                count(s.french_count),
                count(s.foreign_count)
            ),
        ),
        ("Paires retenues", count(s.scored)),
    ];
    if pairing {
        lines.push((
            "Paires appariées",
            format!(
                "{} (score total {})",
                count(s.assigned),
                french::decimal(s.total, 3)
            ),
        ));
        lines.push(("Sans partenaire", count(s.unassigned)));
    }
    if agenda {
        lines.push(("Rendez-vous placés", count(s.agenda)));
        if s.unplaced > 0 {
            lines.push((
                "Rendez-vous sans créneau",
                format!("{} : ajoutez des créneaux ou des tables", count(s.unplaced)),
            ));
        }
    }
    lines
}

fn downloads(run: &BatchRun, pairing: bool, agenda: bool) -> Vec<(&'static str, String)> {
    let base = format!("/console/sessions/{}", run.id);
    let mut out = vec![("Paires retenues (CSV)", format!("{base}/paires.csv"))];
    if pairing {
        out.push(("Paires appariées (CSV)", format!("{base}/affectations.csv")));
        out.push((
            "Sans partenaire (CSV)",
            format!("{base}/sans-partenaire.csv"),
        ));
    }
    if agenda {
        out.push(("Agenda (CSV)", format!("{base}/agenda.csv")));
    }
    out.push((
        "Tous les résultats (Excel)",
        format!("{base}/resultats.xlsx"),
    ));
    out
}

fn agenda_grid(
    out: &mut Results,
    rows: &[AgendaRow],
    unplaced: &[BatchPair],
    asked: &Asked,
    base: &str,
) {
    let search = passerelle_engine::text::fold(asked.participant.trim());
    out.participant = asked.participant.clone();
    let tables = rows.iter().map(|r| r.table).max().unwrap_or(0);
    out.tables = (1..=tables).collect();
    let mut slots: Vec<SlotRow> = Vec::new();
    let mut people: BTreeMap<String, Calendar> = BTreeMap::new();
    for row in rows {
        let starts_new = slots
            .last()
            .is_none_or(|s| s.label != row.slot || s.times != times(row));
        if starts_new {
            slots.push(SlotRow {
                day: row.start.format("%d/%m/%Y").to_string(),
                label: row.slot.clone(),
                times: times(row),
                cells: vec![None; tables],
            });
        }
        let found_french = matches(&search, &row.french_name, row.french.as_str());
        let found_foreign = matches(&search, &row.foreign_name, row.foreign.as_str());
        let slot = slots.last_mut().expect("pushed above");
        slot.cells[row.table - 1] = Some(Cell {
            french: row.french_name.clone(),
            foreign: row.foreign_name.clone(),
            score: labels::score(row.score),
            found: found_french || found_foreign,
        });
        if found_french || found_foreign {
            out.found += 1;
        }
        for (id, name, found) in [
            (&row.french, &row.french_name, found_french),
            (&row.foreign, &row.foreign_name, found_foreign),
        ] {
            let entry = people.entry(id.to_string()).or_insert_with(|| Calendar {
                name: name.clone(),
                id: id.to_string(),
                href: format!("{base}/calendriers/{id}.ics"),
                meetings: 0,
                found,
            });
            entry.meetings += 1;
        }
    }
    out.slots = slots;
    let mut calendars: Vec<Calendar> = people.into_values().collect();
    calendars.sort_by_cached_key(|c| (!c.found, passerelle_engine::text::fold(&c.name)));
    out.calendars = calendars;
    out.unplaced = unplaced
        .iter()
        .enumerate()
        .map(|(i, p)| PairRow::new(i + 1, p))
        .collect();
}

fn times(row: &AgendaRow) -> String {
    format!("{}–{}", row.start.format("%H:%M"), row.end.format("%H:%M"))
}

/// `GET /console/sessions/{id}[?vue=…&page=…&participant=…]`.
pub(crate) async fn page(
    State(console): State<Arc<Console>>,
    session: StaffSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let id = run_id(&id)?;
        let asked = asked(query.as_deref().unwrap_or(""))?;
        let console = console.clone();
        blocking(move || {
            let run = console
                .corpus
                .batch_run(id)
                .map_err(ConsoleError::from_engine)?;
            let live = console.corpus.live_progress(id);
            let progress = ProgressView::new(&run, live.as_ref());
            let done = run.status == RunStatus::Done;
            let results = if done {
                results(&console, &run, &asked)?
            } else {
                Results::default()
            };
            Ok((run, progress, done, results))
        })
        .await
    }
    .await;
    match result {
        Ok((run, progress, done, results)) => html(
            StatusCode::OK,
            &RunPage {
                layout: Layout::new(Some(&session.caller), "sessions"),
                line: RunLine::new(&run),
                spec: spec_lines(&run),
                failure: match &run.status {
                    RunStatus::Failed(_) => Some(labels::run_status(&run.status)),
                    _ => None,
                },
                p: progress,
                done,
                results,
            },
        ),
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use passerelle_engine::batch::RunId;
    use passerelle_engine::batch::{BatchSpec, Phase, Scope};

    use super::*;

    fn run(status: RunStatus) -> BatchRun {
        BatchRun {
            id: RunId::new(3),
            spec: BatchSpec::new(Scope::All, Scope::All),
            today: "2026-09-01".parse().unwrap(),
            origin: "console:dctciv".into(),
            status,
            generation: Some(1),
            pairs_scored: 40,
            pairs_total: 100,
            cancel_requested: false,
            created_at: "2026-09-01T08:00:00Z".into(),
            started_at: None,
            finished_at: None,
            summary: None,
        }
    }

    #[test]
    fn progress_says_the_phase_and_the_counts_in_french() {
        let recorded = run(RunStatus::Running);
        let mut live = LiveProgress::of(&recorded);
        live.scored = 12_345;
        live.total = 67_890;
        live.phase = Some(Phase::Pairing);
        live.phase_done = 10;
        live.phase_size = 100;
        let view = ProgressView::new(&recorded, Some(&live));
        assert_eq!(view.counts, "12\u{a0}345 paires évaluées sur 67\u{a0}890");
        assert_eq!(
            view.phase.as_deref(),
            Some("étape 3 sur 4 : appariement (10 sur 100)")
        );
        assert_eq!(view.percent, 15);
        assert!(view.cancellable && !view.finished);
        // A run of another process: what the store says, no phase.
        let view = ProgressView::new(&recorded, None);
        assert_eq!(view.counts, "40 paires évaluées sur 100");
        assert_eq!(view.phase, None);
        let view = ProgressView::new(&run(RunStatus::Queued), None);
        assert!(view.counts.contains("en attente"));
        let view = ProgressView::new(&run(RunStatus::Done), None);
        assert!(view.finished && !view.cancellable);
    }
}
