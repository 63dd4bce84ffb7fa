//! The French words of the console for the engine's codes, in one place: what the
//! engine names itself (`Criterion::label`, `Level::label`, `Kind::label`,
//! `Side::label`, `CallState::label_fr`) is used as is; the rest (decisions, run
//! statuses, partnership and actor kinds) is named here. Numbers go through
//! `passerelle_engine::french`.

use passerelle_engine::batch::RunStatus;
use passerelle_engine::batch::{Pairing, Phase};
use passerelle_engine::fiche::{ActorKind, PartnershipKind};
use passerelle_engine::french;
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_engine::scoring::Criterion;
use passerelle_engine::store::DecisionKind;

/// A decision as a form value (the buttons of `macros.html` send these).
pub(crate) const DECISIONS: [(&str, DecisionKind); 4] = [
    ("accepter", DecisionKind::Accept),
    ("preselectionner", DecisionKind::Shortlist),
    ("contacter", DecisionKind::Contacted),
    ("rejeter", DecisionKind::Reject),
];

/// A decision's form value.
pub(crate) fn decision_value(kind: DecisionKind) -> &'static str {
    DECISIONS
        .iter()
        .find(|(_, k)| *k == kind)
        .map(|(value, _)| *value)
        .expect("every kind has a value")
}

/// A decision's form value parsed.
pub(crate) fn decision_from_value(value: &str) -> Option<DecisionKind> {
    DECISIONS
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, kind)| *kind)
}

/// A recorded decision, as a past participle (`acceptée`).
pub(crate) fn decision_label(kind: DecisionKind) -> &'static str {
    match kind {
        DecisionKind::Accept => "acceptée",
        DecisionKind::Reject => "rejetée",
        DecisionKind::Shortlist => "présélectionnée",
        DecisionKind::Contacted => "contactée",
    }
}

/// A run's status as staff read it (`terminée`, `échouée : …`).
pub(crate) fn run_status(status: &RunStatus) -> String {
    match status {
        RunStatus::Queued => "en attente".to_owned(),
        RunStatus::Running => "en cours".to_owned(),
        RunStatus::Done => "terminée".to_owned(),
        RunStatus::Failed(message) if message.is_empty() => "échouée".to_owned(),
        RunStatus::Failed(message) => format!("échouée : {}", failure(message)),
        RunStatus::Cancelled => "annulée".to_owned(),
    }
}

/// A failure message as recorded: the engine's are French; an interrupted run is
/// said so.
fn failure(message: &str) -> String {
    match message {
        "interrupted" => "interrompue par l'arrêt du serveur".to_owned(),
        other => other.to_owned(),
    }
}

/// A short class for a status badge (`en-cours`).
pub(crate) fn run_status_class(status: &RunStatus) -> &'static str {
    match status {
        RunStatus::Queued => "attente",
        RunStatus::Running => "en-cours",
        RunStatus::Done => "terminee",
        RunStatus::Failed(_) => "echec",
        RunStatus::Cancelled => "annulee",
    }
}

/// A run's phases, in order.
pub(crate) const PHASES: [Phase; 4] = [
    Phase::Snapshot,
    Phase::Scoring,
    Phase::Pairing,
    Phase::Writing,
];

/// A run's phase as staff read it.
pub(crate) fn phase_label(phase: Phase) -> &'static str {
    match phase {
        Phase::Snapshot => "lecture des fiches",
        Phase::Scoring => "calcul des paires",
        Phase::Pairing => "appariement",
        Phase::Writing => "écriture des résultats",
    }
}

pub(crate) fn pairing_label(pairing: Pairing) -> &'static str {
    match pairing {
        Pairing::Optimal => "optimal (score total maximal)",
        Pairing::Stable => "stable (acceptation différée)",
        Pairing::None => "aucun (meilleures paires seulement)",
    }
}

pub(crate) fn partnership_label(kind: PartnershipKind) -> &'static str {
    match kind {
        PartnershipKind::Jumelage => "jumelage",
        PartnershipKind::Cooperation => "coopération",
        PartnershipKind::Other => "autre partenariat",
    }
}

pub(crate) fn actor_label(kind: ActorKind) -> &'static str {
    match kind {
        ActorKind::Diaspora => "association de la diaspora",
        ActorKind::Ngo => "ONG",
        ActorKind::Company => "entreprise",
        ActorKind::University => "université",
        ActorKind::Other => "autre acteur",
    }
}

/// A criterion's name, capitalised for a table's first column.
pub(crate) fn criterion_title(criterion: Criterion) -> String {
    capitalised(criterion.label())
}

pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(crate) fn country_name(code: CountryCode) -> &'static str {
    &code.info().name_fr
}

pub(crate) fn theme_label(code: ThemeCode) -> &'static str {
    &code.info().label_fr
}

/// A score in [0, 1] as staff read it: `0,853`.
pub(crate) fn score(value: f64) -> String {
    french::decimal(value, 3)
}

/// A count: `198 562`.
pub(crate) fn count(n: impl TryInto<u64>) -> String {
    french::integer(n.try_into().unwrap_or(u64::MAX))
}

/// An RFC 3339 UTC time (`2026-09-01T08:30:00Z`) as `01/09/2026 08:30 UTC`.
pub(crate) fn utc_time(text: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(time) => time
            .with_timezone(&chrono::Utc)
            .format("%d/%m/%Y %H:%M UTC")
            .to_string(),
        Err(_) => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_round_trip_through_their_form_values() {
        for kind in DecisionKind::ALL {
            assert_eq!(decision_from_value(decision_value(kind)), Some(kind));
        }
        assert_eq!(decision_from_value("reject"), None);
    }

    #[test]
    fn times_and_numbers_read_the_french_way() {
        assert_eq!(utc_time("2026-09-01T08:30:00Z"), "01/09/2026 08:30 UTC");
        assert_eq!(score(0.85349), "0,853");
        assert_eq!(count(198_562u64), "198\u{a0}562");
        assert_eq!(criterion_title(Criterion::Underserved), "Pays peu couverts");
        assert_eq!(
            run_status(&RunStatus::Failed("interrupted".into())),
            "échouée : interrompue par l'arrêt du serveur"
        );
    }
}
