//! What a batch run does, as given by staff (CLI flags, gRPC request) and as kept
//! with the run in the store (JSON): scopes, pairs kept per fiche, weights, minimal
//! score, capacities, pairing, exclusions and the agenda.
//!
//! A spec is checked with [`BatchSpec::validate`] (each error names the field) and
//! its names are turned into ids with [`BatchSpec::resolve`] before it runs; the
//! resolved spec is what a run records, so replaying it needs no name table.

use serde::{Deserialize, Serialize};

use super::agenda::{self, Slot};
use super::scope::{Member, Scope};
use crate::error::{Error, Result};
use crate::fiche::{FicheId, FieldError, Side};
use crate::lookup::NameTable;
use crate::lookup::Resolution;
use crate::scoring::Weights;
use crate::store::AreaCount;

/// Most pairs kept per fiche.
pub const MAX_BATCH_K: usize = 1000;
/// Most meetings per fiche.
pub const MAX_CAPACITY: usize = 1000;
/// Most tables per slot, and slots per agenda.
pub const MAX_TABLES: usize = 10_000;
pub const MAX_SLOTS: usize = 1000;
/// Characters of a slot's label, at most.
pub const MAX_SLOT_LABEL_CHARS: usize = 100;
/// Most fiches and pairs excluded by one spec.
pub const MAX_EXCLUSIONS: usize = 100_000;

/// How pairs are chosen among the scored ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pairing {
    /// Maximum total score (min-cost flow).
    #[default]
    Optimal,
    /// Deferred acceptance, French fiches proposing.
    Stable,
    /// No pairing: the best pairs of every fiche only (a campaign over whole scopes,
    /// where the pairs kept are the result).
    None,
}

/// A pair left out of a run: a French fiche and a foreign one, by id or name.
/// Written `FR_ID:FOREIGN_ID` on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExcludedPair {
    #[serde(with = "member")]
    pub french: Member,
    #[serde(with = "member")]
    pub foreign: Member,
}

impl ExcludedPair {
    /// Parses `FRENCH:FOREIGN` (ids or names).
    pub fn parse(text: &str) -> Result<ExcludedPair, String> {
        match text.split_once(':') {
            Some((french, foreign)) if !french.trim().is_empty() && !foreign.trim().is_empty() => {
                Ok(ExcludedPair {
                    french: Member::parse(french),
                    foreign: Member::parse(foreign),
                })
            }
            _ => Err(format!(
                "pair {}: expected FRENCH_ID:FOREIGN_ID (ids or names)",
                crate::fiche::quote(text)
            )),
        }
    }
}

/// The meeting agenda of a run: its slots (in order, disjoint) and tables per slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaSpec {
    pub slots: Vec<Slot>,
    pub tables: usize,
}

/// A name of a spec understood through fuzzy matching: said to the user, never
/// silently used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCorrection {
    /// Where the name was (`french`, `exclude[0]`).
    pub field: String,
    /// As typed.
    pub typed: String,
    pub id: FicheId,
    /// The official name it was resolved to.
    pub name: String,
}

/// A spec whose names are all ids, and the names that were corrected on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSpec {
    pub spec: BatchSpec,
    pub corrections: Vec<NameCorrection>,
}

/// What a batch run does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchSpec {
    pub french: Scope,
    pub foreign: Scope,
    /// Pairs kept per fiche, on each side.
    #[serde(default = "default_k")]
    pub k: usize,
    #[serde(default)]
    pub weights: Weights,
    /// Pairs scoring below this are not considered.
    #[serde(default)]
    pub min_score: f64,
    /// Meetings per French fiche and per foreign fiche.
    #[serde(default = "one")]
    pub french_capacity: usize,
    #[serde(default = "one")]
    pub foreign_capacity: usize,
    #[serde(default)]
    pub pairing: Pairing,
    /// Fiches left out of the run (either side), by id or name.
    #[serde(default, with = "members")]
    pub exclude: Vec<Member>,
    /// Pairs never chosen, beside the pairs staff rejected.
    #[serde(default)]
    pub exclude_pairs: Vec<ExcludedPair>,
    /// A meeting agenda for the assigned pairs.
    #[serde(default)]
    pub agenda: Option<AgendaSpec>,
    /// Pairs where both collectivités said "interested" are assigned first, as many
    /// as the capacities allow (then the rest by score); without it they take part
    /// like any pair. Either way they are scored even beyond each fiche's best `k`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_mutual: bool,
}

fn default_k() -> usize {
    10
}

fn one() -> usize {
    1
}

fn field(field: &str, value: impl std::fmt::Display, reason: impl Into<String>) -> FieldError {
    FieldError::value(field, value, reason)
}

impl BatchSpec {
    /// Scopes and defaults: k 10, default weights, min_score 0, capacities 1,
    /// optimal pairing, no exclusion, no agenda, mutual interests not required.
    pub fn new(french: Scope, foreign: Scope) -> BatchSpec {
        BatchSpec {
            french,
            foreign,
            k: default_k(),
            weights: Weights::default(),
            min_score: 0.0,
            french_capacity: 1,
            foreign_capacity: 1,
            pairing: Pairing::Optimal,
            exclude: Vec::new(),
            exclude_pairs: Vec::new(),
            agenda: None,
            require_mutual: false,
        }
    }

    /// Checks every bound; the error names the field (the first problem of
    /// [`BatchSpec::problems`]).
    pub fn validate(&self) -> Result<(), FieldError> {
        match self.problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// Every bound broken, each naming its field.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        let mut bounded = |name: &str, value: usize, max: usize| {
            if !(1..=max).contains(&value) {
                problems.push(field(name, value, format!("doit être entre 1 et {max}")));
            }
        };
        bounded("k", self.k, MAX_BATCH_K);
        bounded("french_capacity", self.french_capacity, MAX_CAPACITY);
        bounded("foreign_capacity", self.foreign_capacity, MAX_CAPACITY);
        if let Some(agenda) = &self.agenda {
            bounded("agenda.tables", agenda.tables, MAX_TABLES);
        }
        if !(0.0..=1.0).contains(&self.min_score) {
            problems.push(field("min_score", self.min_score, "doit être entre 0 et 1"));
        }
        if let Err(problem) = self.weights.validate() {
            problems.push(problem);
        }
        let exclusions = self.exclude.len() + self.exclude_pairs.len();
        if exclusions > MAX_EXCLUSIONS {
            problems.push(field(
                "exclude",
                exclusions,
                format!("{MAX_EXCLUSIONS} exclusions au plus (fiches et paires)"),
            ));
        }
        if let Some(agenda) = &self.agenda {
            if self.pairing == Pairing::None {
                problems.push(field(
                    "agenda",
                    "none",
                    "un agenda place des paires appariées : choisissez un appariement",
                ));
            }
            if agenda.slots.is_empty() || agenda.slots.len() > MAX_SLOTS {
                problems.push(field(
                    "agenda.slots",
                    agenda.slots.len(),
                    format!("donnez de 1 à {MAX_SLOTS} créneaux"),
                ));
            } else if let Err(reason) = agenda::check_slots(&agenda.slots) {
                problems.push(field("agenda.slots", agenda.slots.len(), reason));
            }
            for (i, slot) in agenda.slots.iter().enumerate() {
                // Labels go into CSV cells and calendar properties: one line, bounded.
                let chars = slot.label.chars().count();
                if !(1..=MAX_SLOT_LABEL_CHARS).contains(&chars)
                    || slot.label.chars().any(char::is_control)
                {
                    problems.push(FieldError::new(
                        format!("agenda.slots[{i}].label"),
                        &slot.label,
                        format!(
                            "de 1 à {MAX_SLOT_LABEL_CHARS} caractères, sans caractère de contrôle"
                        ),
                    ));
                }
            }
        }
        problems
    }

    /// Checks everything about the spec against the corpus and resolves it in one
    /// go: bounds, names (each resolved among its side), and scopes that would
    /// select nothing (`departement:333`, `admin1:BJ/ZZ`). Every problem is
    /// reported, each naming its field, as [`Error::SpecRejected`]; without any, the
    /// resolved spec (names replaced by ids).
    pub fn check(&self, names: &NameTable, areas: &[AreaCount]) -> Result<ResolvedSpec> {
        let mut problems = self.problems();
        for (name, scope, side) in [
            ("french", &self.french, Side::French),
            ("foreign", &self.foreign, Side::Foreign),
        ] {
            if let Err(reason) = scope.check(side, areas) {
                problems.push(field(name, scope, reason));
            }
        }
        match self.resolve(names) {
            Ok(resolved) if problems.is_empty() => Ok(resolved),
            Ok(_) => Err(Error::SpecRejected { problems }),
            Err(Error::SpecRejected { problems: more }) => {
                problems.extend(more);
                Err(Error::SpecRejected { problems })
            }
            Err(other) => Err(other),
        }
    }

    /// The spec with every name replaced by an id: scope members among their side,
    /// excluded fiches on either side, excluded pairs French then foreign. Ids must
    /// exist. Every name that cannot be resolved is reported, as
    /// [`Error::SpecRejected`] naming the entry (`french`, `exclude[2]`,
    /// `exclude_pairs[0].foreign`); names corrected by fuzzy matching are listed.
    pub fn resolve(&self, names: &NameTable) -> Result<ResolvedSpec> {
        let mut problems = Vec::new();
        let mut corrections = Vec::new();
        let mut resolved = self.clone();
        let mut understood = |field: String, resolution: Resolution| {
            if let Some(typed) = resolution.corrected_from {
                corrections.push(NameCorrection {
                    field,
                    typed,
                    id: resolution.id.clone(),
                    name: resolution.name,
                });
            }
            Member::Id(resolution.id)
        };
        let mut refused = |field: String, member: &Member, error: Error| {
            problems.push(FieldError::new(
                &field,
                &member.to_string(),
                error.to_string(),
            ));
        };
        for (name, scope, side) in [
            ("french", &self.french, Side::French),
            ("foreign", &self.foreign, Side::Foreign),
        ] {
            match scope.resolve(names, side) {
                Ok((scope, members)) => {
                    for (_, resolution) in members {
                        understood(name.into(), resolution);
                    }
                    match side {
                        Side::French => resolved.french = scope,
                        Side::Foreign => resolved.foreign = scope,
                    }
                }
                Err(errors) => errors
                    .into_iter()
                    .for_each(|(member, e)| refused(name.into(), &member, e)),
            }
        }
        for (i, member) in self.exclude.iter().enumerate() {
            let field = format!("exclude[{i}]");
            match member.resolve(names, None) {
                Ok(resolution) => resolved.exclude[i] = understood(field, resolution),
                Err(e) => refused(field, member, e),
            }
        }
        for (i, pair) in self.exclude_pairs.iter().enumerate() {
            let out = &mut resolved.exclude_pairs[i];
            for (member, side, part, slot) in [
                (&pair.french, Side::French, "french", &mut out.french),
                (&pair.foreign, Side::Foreign, "foreign", &mut out.foreign),
            ] {
                let field = format!("exclude_pairs[{i}].{part}");
                match member.resolve(names, Some(side)) {
                    Ok(resolution) => *slot = understood(field, resolution),
                    Err(e) => refused(field, member, e),
                }
            }
        }
        if problems.is_empty() {
            Ok(ResolvedSpec {
                spec: resolved,
                corrections,
            })
        } else {
            Err(Error::SpecRejected { problems })
        }
    }

    /// Whether every fiche is given by id (see [`BatchSpec::resolve`]).
    pub fn is_resolved(&self) -> bool {
        let scope = |scope: &Scope| match scope {
            Scope::Ids(members) => members.iter().all(|m| m.id().is_some()),
            _ => true,
        };
        scope(&self.french)
            && scope(&self.foreign)
            && self.exclude.iter().all(|m| m.id().is_some())
            && self
                .exclude_pairs
                .iter()
                .all(|p| p.french.id().is_some() && p.foreign.id().is_some())
    }

    /// The excluded fiches' ids (names are skipped: resolve first).
    pub fn excluded_ids(&self) -> Vec<FicheId> {
        self.exclude
            .iter()
            .filter_map(|m| m.id().cloned())
            .collect()
    }
}

/// A [`Member`] as its text (an id or a name).
mod member {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Member;

    pub fn serialize<S: Serializer>(member: &Member, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(member)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Member, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim().is_empty() {
            return Err(serde::de::Error::custom(
                "an id or a name, not an empty string",
            ));
        }
        Ok(Member::parse(&text))
    }
}

/// A list of [`Member`]s as texts.
mod members {
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Member;

    pub fn serialize<S: Serializer>(members: &[Member], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(members.len()))?;
        for member in members {
            seq.serialize_element(&member.to_string())?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Member>, D::Error> {
        let texts = Vec::<String>::deserialize(d)?;
        if texts.iter().any(|t| t.trim().is_empty()) {
            return Err(serde::de::Error::custom(
                "an id or a name, not an empty string",
            ));
        }
        Ok(texts.iter().map(|t| Member::parse(t)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fixtures::corpus;

    fn spec() -> BatchSpec {
        BatchSpec::new(Scope::All, Scope::parse("country:BJ").unwrap())
    }

    #[test]
    fn specs_round_trip_through_json_with_defaults() {
        let mut spec = spec();
        spec.exclude = vec![Member::parse("FR-COM-42218"), Member::parse("Dakar")];
        spec.exclude_pairs = vec![ExcludedPair::parse("Lyon:Porto Novo").unwrap()];
        spec.agenda = Some(AgendaSpec {
            slots: vec![Slot {
                label: "D1".into(),
                start: agenda::parse_time("2026-12-03T09:00").unwrap(),
                end: agenda::parse_time("2026-12-03T09:30").unwrap(),
            }],
            tables: 4,
        });
        let json = serde_json::to_string(&spec).unwrap();
        assert!(json.contains("\"start\":\"2026-12-03T09:00\""), "{json}");
        assert_eq!(serde_json::from_str::<BatchSpec>(&json).unwrap(), spec);
        let minimal: BatchSpec =
            serde_json::from_str(r#"{"french":"all","foreign":"country:BJ"}"#).unwrap();
        assert_eq!(minimal, self::spec());
        let unknown =
            serde_json::from_str::<BatchSpec>(r#"{"french":"all","foreign":"all","kk":1}"#);
        assert!(unknown.unwrap_err().to_string().contains("kk"));
    }

    #[test]
    fn validation_names_the_field() {
        let check = |change: &dyn Fn(&mut BatchSpec), name: &str| {
            let mut spec = spec();
            change(&mut spec);
            assert_eq!(spec.validate().unwrap_err().field, name);
        };
        check(&|s| s.k = 0, "k");
        check(&|s| s.k = MAX_BATCH_K + 1, "k");
        check(&|s| s.min_score = 1.5, "min_score");
        check(&|s| s.min_score = f64::NAN, "min_score");
        check(&|s| s.french_capacity = 0, "french_capacity");
        check(
            &|s| s.foreign_capacity = MAX_CAPACITY + 1,
            "foreign_capacity",
        );
        check(&|s| s.weights.size = -1.0, "weights.size");
        check(
            &|s| {
                s.agenda = Some(AgendaSpec {
                    slots: Vec::new(),
                    tables: 3,
                })
            },
            "agenda.slots",
        );
        for label in [
            "",
            "J1\r\nATTENDEE:x",
            "J1\u{1b}[2J",
            &"x".repeat(MAX_SLOT_LABEL_CHARS + 1),
        ] {
            let label = label.to_owned();
            check(
                &|s| {
                    let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 3)
                        .unwrap()
                        .and_hms_opt(9, 0, 0)
                        .unwrap();
                    s.agenda = Some(AgendaSpec {
                        slots: vec![super::agenda::Slot {
                            label: label.clone(),
                            start,
                            end: start + chrono::Duration::minutes(30),
                        }],
                        tables: 3,
                    })
                },
                "agenda.slots[0].label",
            );
        }
        assert!(spec().validate().is_ok());
    }

    #[test]
    fn names_resolve_and_errors_name_the_entry() {
        let names = crate::lookup::NameTable::from_fiches(&corpus());
        let mut spec = spec();
        spec.french = Scope::parse("ids:St-Etienne").unwrap();
        spec.exclude = vec![Member::parse("Dakar")];
        spec.exclude_pairs = vec![ExcludedPair::parse("FR-COM-42218:Porto Novo").unwrap()];
        assert!(!spec.is_resolved());
        let resolved = spec.resolve(&names).unwrap();
        assert!(
            resolved.corrections.is_empty(),
            "{:?}",
            resolved.corrections
        );
        let resolved = resolved.spec;
        assert!(resolved.is_resolved());
        assert_eq!(resolved.french.to_string(), "ids:FR-COM-42218");
        assert_eq!(resolved.excluded_ids()[0].as_str(), "SN-COM-DKR");
        assert_eq!(
            resolved.exclude_pairs[0].foreign.to_string(),
            "BJ-COM-BJ-OU-PNO"
        );

        spec.exclude_pairs = vec![ExcludedPair::parse("Porto Novo:FR-COM-42218").unwrap()];
        spec.exclude.push(Member::parse("Tombouctou"));
        match spec.resolve(&names) {
            Err(Error::SpecRejected { problems }) => {
                let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
                assert_eq!(
                    fields,
                    [
                        "exclude[1]",
                        "exclude_pairs[0].french",
                        "exclude_pairs[0].foreign"
                    ]
                );
                assert!(
                    problems[0].reason.contains("aucune collectivité"),
                    "{problems:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(ExcludedPair::parse("FR-COM-42218").is_err());

        spec.exclude = vec![Member::parse("Dakkar")];
        spec.exclude_pairs.clear();
        let corrected = spec.resolve(&names).unwrap().corrections;
        assert_eq!(corrected.len(), 1);
        assert_eq!(
            (
                corrected[0].field.as_str(),
                corrected[0].typed.as_str(),
                corrected[0].id.as_str()
            ),
            ("exclude[0]", "Dakkar", "SN-COM-DKR")
        );
    }
}
