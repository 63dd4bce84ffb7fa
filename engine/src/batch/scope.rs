//! Who takes part in a batch run: a scope on each side, written as
//! `all`, `region:75`, `departement:33`, `country:BJ` (several: `country:BJ,SN`),
//! `admin1:MA/01`, or a list `ids:FR-COM-33063,Lyon` whose entries are each a fiche id
//! or a name (names cannot contain commas).
//!
//! Names are resolved once, before a run, with [`Scope::resolve`] on the engine's name
//! table and among the scope's side only (`Lyon` in the foreign scope is not the
//! French commune); an unknown or ambiguous name is an error listing the candidates,
//! never a guess. A resolved scope lists ids only, so a recorded run replays the same.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::fiche::{Fiche, FicheId, Side};
use crate::lookup::{NameTable, Resolution};
use crate::reference::CountryCode;
use crate::store::AreaCount;

/// Codes listed when a scope's code matches nothing.
const NEARBY: usize = 8;

/// A fiche given by its id or by its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    Id(FicheId),
    Name(String),
}

impl Member {
    /// An id when the text is one, else a name.
    pub fn parse(text: &str) -> Member {
        let text = text.trim();
        match FicheId::parse(text) {
            Ok(id) => Member::Id(id),
            Err(_) => Member::Name(text.to_owned()),
        }
    }

    /// The fiche, through the name table for a name (which may be qualified:
    /// `Saint-Denis (93)`), among the fiches of `side` when given; says whether a
    /// name was corrected by fuzzy matching.
    pub fn resolve(&self, names: &NameTable, side: Option<Side>) -> Result<Resolution> {
        let text = match self {
            Member::Id(id) => id.as_str(),
            Member::Name(name) => name,
        };
        names.resolve_detailed(text, None, side)
    }

    /// The id, if it is one already.
    pub fn id(&self) -> Option<&FicheId> {
        match self {
            Member::Id(id) => Some(id),
            Member::Name(_) => None,
        }
    }
}

impl fmt::Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Member::Id(id) => f.write_str(id.as_str()),
            Member::Name(name) => f.write_str(name),
        }
    }
}

/// A set of fiches of one side. Serialized as its textual form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Scope {
    All,
    Region(String),
    Departement(String),
    Countries(Vec<CountryCode>),
    Admin1 {
        country: CountryCode,
        admin1: String,
    },
    /// Fiches by id or name (`ids:`).
    Ids(Vec<Member>),
}

impl Scope {
    /// Parses the textual form; the error names the part that is wrong.
    pub fn parse(text: &str) -> Result<Scope, String> {
        let text = text.trim();
        let quoted = crate::fiche::quote(text);
        if text == "all" {
            return Ok(Scope::All);
        }
        let (kind, value) = text.split_once(':').ok_or_else(|| {
            format!(
                "scope {quoted}: expected all, region:, departement:, country:, admin1: or ids:"
            )
        })?;
        let list = || value.split(',').map(str::trim).filter(|v| !v.is_empty());
        let country = |code: &str| {
            CountryCode::parse(code).ok_or_else(|| {
                format!(
                    "scope {quoted}: unknown country {}",
                    crate::fiche::quote(code)
                )
            })
        };
        let scope = match kind {
            "region" => Scope::Region(value.trim().to_owned()),
            "departement" => Scope::Departement(value.trim().to_owned()),
            "country" => Scope::Countries(list().map(country).collect::<Result<_, _>>()?),
            "admin1" => {
                let (code, admin1) = value
                    .split_once('/')
                    .ok_or_else(|| format!("scope {quoted}: expected admin1:COUNTRY/CODE"))?;
                Scope::Admin1 {
                    country: country(code.trim())?,
                    admin1: admin1.trim().to_owned(),
                }
            }
            "ids" => Scope::Ids(list().map(Member::parse).collect()),
            other => {
                return Err(format!(
                    "scope {quoted}: unknown kind {}",
                    crate::fiche::quote(other)
                ));
            }
        };
        let empty = match &scope {
            Scope::Region(v) | Scope::Departement(v) => v.is_empty(),
            Scope::Countries(list) => list.is_empty(),
            Scope::Admin1 { admin1, .. } => admin1.is_empty(),
            Scope::Ids(list) => list.is_empty(),
            Scope::All => false,
        };
        if empty {
            return Err(format!("scope {quoted}: nothing after {kind:?}"));
        }
        Ok(scope)
    }

    /// The same scope with every name replaced by the id it designates among the
    /// fiches of `side`, and how each name was understood; every member that cannot
    /// be resolved is reported.
    #[allow(clippy::type_complexity)]
    pub fn resolve(
        &self,
        names: &NameTable,
        side: Side,
    ) -> Result<(Scope, Vec<(Member, Resolution)>), Vec<(Member, crate::Error)>> {
        let Scope::Ids(members) = self else {
            return Ok((self.clone(), Vec::new()));
        };
        let mut ids = Vec::with_capacity(members.len());
        let mut understood = Vec::new();
        let mut errors = Vec::new();
        for member in members {
            match member.resolve(names, Some(side)) {
                Ok(resolution) => {
                    let id = Member::Id(resolution.id.clone());
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                    understood.push((member.clone(), resolution));
                }
                Err(error) => errors.push((member.clone(), error)),
            }
        }
        match errors.is_empty() {
            true => Ok((Scope::Ids(ids), understood)),
            false => Err(errors),
        }
    }

    /// Refuses a scope that selects no fiche of `side` in the store whose areas are
    /// `areas`, saying (in French) what exists nearby: the closest codes, or the
    /// areas of the country. `ids:` scopes are checked entry by entry when resolved.
    pub fn check(&self, side: Side, areas: &[AreaCount]) -> Result<(), String> {
        let on_side = || areas.iter().filter(|a| a.side == side);
        let side_words = match side {
            Side::French => "française",
            Side::Foreign => "étrangère",
        };
        let codes = |pick: &dyn Fn(&AreaCount) -> Option<String>| -> Vec<String> {
            let mut codes: Vec<String> = on_side().filter_map(pick).collect();
            codes.sort();
            codes.dedup();
            codes
        };
        let found = |keep: &dyn Fn(&AreaCount) -> bool| on_side().any(|a| keep(a) && a.fiches > 0);
        match self {
            Scope::Ids(_) => Ok(()),
            Scope::All if found(&|_| true) => Ok(()),
            Scope::All => Err(format!("aucune fiche {side_words} dans la base")),
            Scope::Region(code) if found(&|a| a.region.as_ref() == Some(code)) => Ok(()),
            Scope::Region(code) => Err(nothing(
                &format!("aucune fiche {side_words} de la région {code:?}"),
                "régions présentes",
                nearby(code, codes(&|a| a.region.clone())),
            )),
            Scope::Departement(code) if found(&|a| a.departement.as_ref() == Some(code)) => Ok(()),
            Scope::Departement(code) => Err(nothing(
                &format!("aucune fiche {side_words} du département {code:?}"),
                "départements proches",
                nearby(code, codes(&|a| a.departement.clone())),
            )),
            Scope::Countries(countries) => {
                let missing: Vec<&str> = countries
                    .iter()
                    .filter(|c| !found(&|a| a.country == **c))
                    .map(|c| c.as_str())
                    .collect();
                match missing.as_slice() {
                    [] => Ok(()),
                    _ => Err(format!(
                        "aucune fiche {side_words} pour {}",
                        missing.join(", ")
                    )),
                }
            }
            Scope::Admin1 { country, admin1 } => {
                if found(&|a| a.country == *country && a.admin1.as_ref() == Some(admin1)) {
                    return Ok(());
                }
                let areas = codes(&|a| {
                    (a.country == *country).then(|| match (&a.admin1, &a.admin1_name) {
                        (Some(code), Some(name)) => format!("{country}/{code} ({name})"),
                        (Some(code), None) => format!("{country}/{code}"),
                        _ => String::new(),
                    })
                });
                let areas: Vec<String> = areas.into_iter().filter(|a| !a.is_empty()).collect();
                Err(nothing(
                    &format!("aucune fiche {side_words} dans la zone {country}/{admin1}"),
                    &format!("zones de {country}"),
                    nearby(&format!("{country}/{admin1}"), areas),
                ))
            }
        }
    }

    /// Whether a fiche of `side` is in the scope (names match nothing: resolve first).
    pub fn contains(&self, fiche: &Fiche, side: Side) -> bool {
        if fiche.side() != side {
            return false;
        }
        let admin = fiche.admin.as_ref();
        match self {
            Scope::All => true,
            Scope::Region(code) => admin.and_then(|a| a.region.as_ref()) == Some(code),
            Scope::Departement(code) => admin.and_then(|a| a.departement.as_ref()) == Some(code),
            Scope::Countries(countries) => countries.contains(&fiche.country),
            Scope::Admin1 { country, admin1 } => {
                fiche.country == *country && admin.and_then(|a| a.admin1.as_ref()) == Some(admin1)
            }
            Scope::Ids(members) => members.iter().any(|m| m.id() == Some(&fiche.id)),
        }
    }
}

/// `what`, then the codes that exist (`listed`), or that there are none.
fn nothing(what: &str, listed: &str, codes: Vec<String>) -> String {
    if codes.is_empty() {
        format!("{what} (aucune dans la base)")
    } else {
        format!("{what} ; {listed} : {}", codes.join(", "))
    }
}

/// The [`NEARBY`] codes closest to `code`: a shared prefix first, then by edit
/// distance, then in order.
fn nearby(code: &str, mut codes: Vec<String>) -> Vec<String> {
    let distance = |candidate: &String| {
        let shared = code
            .chars()
            .zip(candidate.chars())
            .take_while(|(a, b)| a == b)
            .count();
        (
            usize::MAX - shared,
            strsim::levenshtein(code, candidate.split(' ').next().unwrap_or(candidate)),
        )
    };
    codes.sort_by_key(|c| (distance(c), c.clone()));
    codes.truncate(NEARBY);
    codes
}

impl TryFrom<String> for Scope {
    type Error = String;

    fn try_from(text: String) -> Result<Scope, String> {
        Scope::parse(&text)
    }
}

impl From<Scope> for String {
    fn from(scope: Scope) -> String {
        scope.to_string()
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::All => f.write_str("all"),
            Scope::Region(code) => write!(f, "region:{code}"),
            Scope::Departement(code) => write!(f, "departement:{code}"),
            Scope::Countries(codes) => {
                let codes: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
                write!(f, "country:{}", codes.join(","))
            }
            Scope::Admin1 { country, admin1 } => write!(f, "admin1:{country}/{admin1}"),
            Scope::Ids(members) => {
                let members: Vec<String> = members.iter().map(Member::to_string).collect();
                write!(f, "ids:{}", members.join(","))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fixtures::corpus;

    #[test]
    fn scopes_parse_and_print_back() {
        for text in [
            "all",
            "region:75",
            "departement:2A",
            "country:BJ,SN",
            "admin1:MA/01",
            "ids:FR-COM-33063,FR-COM-69123",
            "ids:FR-COM-33063,Lyon",
        ] {
            assert_eq!(Scope::parse(text).unwrap().to_string(), text);
        }
        assert!(Scope::parse("country:XX").unwrap_err().contains("XX"));
        assert!(Scope::parse("planet:mars").unwrap_err().contains("planet"));
        assert!(Scope::parse("ids:").unwrap_err().contains("nothing"));
        assert_eq!(
            Scope::parse("ids:bad id").unwrap(),
            Scope::Ids(vec![Member::Name("bad id".into())])
        );
    }

    #[test]
    fn names_resolve_on_the_scope_side() {
        let names = NameTable::from_fiches(&corpus());
        let scope = Scope::parse("ids:St-Etienne,FR-COM-42218").unwrap();
        assert_eq!(
            scope.resolve(&names, Side::French).unwrap().0.to_string(),
            "ids:FR-COM-42218"
        );
        let foreign = Scope::parse("ids:Porto Novo").unwrap();
        assert_eq!(
            foreign
                .resolve(&names, Side::Foreign)
                .unwrap()
                .0
                .to_string(),
            "ids:BJ-COM-BJ-OU-PNO"
        );
        let errors = foreign.resolve(&names, Side::French).unwrap_err();
        assert!(matches!(errors[..], [(_, crate::Error::NoSuchName { .. })]));
        let json = serde_json::to_string(&scope).unwrap();
        assert_eq!(json, "\"ids:St-Etienne,FR-COM-42218\"");
        assert_eq!(serde_json::from_str::<Scope>(&json).unwrap(), scope);
        assert!(serde_json::from_str::<Scope>("\"planet:mars\"").is_err());
    }
}
