//! Who takes part in a batch run: a scope on each side, written as
//! `all`, `region:75`, `departement:33`, `country:BJ` (several: `country:BJ,SN`),
//! `admin1:MA/01`, or `ids:FR-COM-33063,FR-COM-69123`.

use std::fmt;

use crate::fiche::{Fiche, FicheId, Side};
use crate::reference::CountryCode;

/// A set of fiches of one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Region(String),
    Departement(String),
    Countries(Vec<CountryCode>),
    Admin1 {
        country: CountryCode,
        admin1: String,
    },
    Ids(Vec<FicheId>),
}

impl Scope {
    /// Parses the textual form; the error names the part that is wrong.
    pub fn parse(text: &str) -> Result<Scope, String> {
        if text == "all" {
            return Ok(Scope::All);
        }
        let (kind, value) = text.split_once(':').ok_or_else(|| {
            format!(
                "scope {text:?}: expected all, region:, departement:, country:, admin1: or ids:"
            )
        })?;
        let list = || value.split(',').map(str::trim).filter(|v| !v.is_empty());
        let country = |code: &str| {
            CountryCode::parse(code)
                .ok_or_else(|| format!("scope {text:?}: unknown country {code:?}"))
        };
        match kind {
            "region" => Ok(Scope::Region(value.to_owned())),
            "departement" => Ok(Scope::Departement(value.to_owned())),
            "country" => Ok(Scope::Countries(
                list().map(country).collect::<Result<_, _>>()?,
            )),
            "admin1" => {
                let (code, admin1) = value
                    .split_once('/')
                    .ok_or_else(|| format!("scope {text:?}: expected admin1:COUNTRY/CODE"))?;
                Ok(Scope::Admin1 {
                    country: country(code)?,
                    admin1: admin1.to_owned(),
                })
            }
            "ids" => Ok(Scope::Ids(
                list().map(FicheId::parse).collect::<Result<_, _>>()?,
            )),
            other => Err(format!("scope {text:?}: unknown kind {other:?}")),
        }
    }

    /// Whether a fiche of `side` is in the scope.
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
            Scope::Ids(ids) => ids.contains(&fiche.id),
        }
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
            Scope::Ids(ids) => {
                let ids: Vec<&str> = ids.iter().map(|i| i.as_str()).collect();
                write!(f, "ids:{}", ids.join(","))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_print_back() {
        for text in [
            "all",
            "region:75",
            "departement:2A",
            "country:BJ,SN",
            "admin1:MA/01",
            "ids:FR-COM-33063,FR-COM-69123",
        ] {
            assert_eq!(Scope::parse(text).unwrap().to_string(), text);
        }
        assert!(Scope::parse("country:XX").unwrap_err().contains("XX"));
        assert!(Scope::parse("planet:mars").unwrap_err().contains("planet"));
        assert!(Scope::parse("ids:bad id").is_err());
    }
}
