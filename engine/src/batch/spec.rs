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
use crate::scoring::Weights;

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

fn in_field(name: String, error: Error) -> Error {
    Error::Field {
        field: name,
        source: Box::new(error),
    }
}

impl BatchSpec {
    /// Scopes and defaults: k 10, default weights, min_score 0, capacities 1,
    /// optimal pairing, no exclusion, no agenda.
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
        }
    }

    /// Checks every bound; the error names the field.
    pub fn validate(&self) -> Result<(), FieldError> {
        let bounded = |name: &str, value: usize, max: usize| {
            if (1..=max).contains(&value) {
                Ok(())
            } else {
                Err(field(name, value, format!("must be in [1, {max}]")))
            }
        };
        bounded("k", self.k, MAX_BATCH_K)?;
        bounded("french_capacity", self.french_capacity, MAX_CAPACITY)?;
        bounded("foreign_capacity", self.foreign_capacity, MAX_CAPACITY)?;
        if !(0.0..=1.0).contains(&self.min_score) {
            return Err(field("min_score", self.min_score, "must be in [0, 1]"));
        }
        self.weights.validate()?;
        let exclusions = self.exclude.len() + self.exclude_pairs.len();
        if exclusions > MAX_EXCLUSIONS {
            return Err(field(
                "exclude",
                exclusions,
                format!("at most {MAX_EXCLUSIONS} exclusions (fiches and pairs)"),
            ));
        }
        if let Some(agenda) = &self.agenda {
            if self.pairing == Pairing::None {
                return Err(field(
                    "agenda",
                    "none",
                    "an agenda schedules assigned pairs: choose a pairing",
                ));
            }
            bounded("agenda.tables", agenda.tables, MAX_TABLES)?;
            if agenda.slots.is_empty() || agenda.slots.len() > MAX_SLOTS {
                return Err(field(
                    "agenda.slots",
                    agenda.slots.len(),
                    format!("give 1 to {MAX_SLOTS} slots"),
                ));
            }
            for (i, slot) in agenda.slots.iter().enumerate() {
                // Labels go into CSV cells and calendar properties: one line, bounded.
                let chars = slot.label.chars().count();
                if !(1..=MAX_SLOT_LABEL_CHARS).contains(&chars)
                    || slot.label.chars().any(char::is_control)
                {
                    return Err(FieldError::new(
                        format!("agenda.slots[{i}].label"),
                        &slot.label,
                        format!(
                            "must have 1 to {MAX_SLOT_LABEL_CHARS} characters and no control character"
                        ),
                    ));
                }
            }
            agenda::check_slots(&agenda.slots)
                .map_err(|reason| field("agenda.slots", agenda.slots.len(), reason))?;
        }
        Ok(())
    }

    /// The spec with every name replaced by an id: scope members among their side,
    /// excluded fiches on either side, excluded pairs French then foreign. Ids must
    /// exist. Errors are [`Error::Field`] naming the entry (`french`,
    /// `exclude[2]`, `exclude_pairs[0].foreign`).
    pub fn resolve(&self, names: &NameTable) -> Result<BatchSpec> {
        let mut resolved = self.clone();
        resolved.french = self
            .french
            .resolve(names, Side::French)
            .map_err(|e| in_field("french".into(), e))?;
        resolved.foreign = self
            .foreign
            .resolve(names, Side::Foreign)
            .map_err(|e| in_field("foreign".into(), e))?;
        for (i, member) in self.exclude.iter().enumerate() {
            let id = member
                .resolve(names, None)
                .map_err(|e| in_field(format!("exclude[{i}]"), e))?;
            resolved.exclude[i] = Member::Id(id);
        }
        for (i, pair) in self.exclude_pairs.iter().enumerate() {
            let side = |member: &Member, side: Side, name: &str| {
                member
                    .resolve(names, Some(side))
                    .map(Member::Id)
                    .map_err(|e| in_field(format!("exclude_pairs[{i}].{name}"), e))
            };
            resolved.exclude_pairs[i] = ExcludedPair {
                french: side(&pair.french, Side::French, "french")?,
                foreign: side(&pair.foreign, Side::Foreign, "foreign")?,
            };
        }
        Ok(resolved)
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
        assert!(resolved.is_resolved());
        assert_eq!(resolved.french.to_string(), "ids:FR-COM-42218");
        assert_eq!(resolved.excluded_ids()[0].as_str(), "SN-COM-DKR");
        assert_eq!(
            resolved.exclude_pairs[0].foreign.to_string(),
            "BJ-COM-BJ-OU-PNO"
        );

        spec.exclude_pairs = vec![ExcludedPair::parse("Porto Novo:FR-COM-42218").unwrap()];
        match spec.resolve(&names) {
            Err(Error::Field { field, source }) => {
                assert_eq!(field, "exclude_pairs[0].french");
                assert!(matches!(*source, Error::NoSuchName { .. }));
            }
            other => panic!("{other:?}"),
        }
        assert!(ExcludedPair::parse("FR-COM-42218").is_err());
    }
}
