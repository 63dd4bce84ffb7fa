//! What a collectivité is (`kind`), its normalised tier (`level`) and its side.

use serde::{Deserialize, Serialize};

/// The kind of collectivité: French ones first, then foreign ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Commune,
    Epci,
    Departement,
    Region,
    Municipality,
    District,
    Province,
    State,
    Other,
}

/// Normalised tier used for size and level compatibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Local,
    Intermediate,
    Regional,
}

/// French collectivités on one side, foreign local authorities on the other: a
/// partnership always joins the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    French,
    Foreign,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Commune,
        Kind::Epci,
        Kind::Departement,
        Kind::Region,
        Kind::Municipality,
        Kind::District,
        Kind::Province,
        Kind::State,
        Kind::Other,
    ];

    pub fn side(self) -> Side {
        match self {
            Kind::Commune | Kind::Epci | Kind::Departement | Kind::Region => Side::French,
            _ => Side::Foreign,
        }
    }

    /// The level a kind must have; `None` for `other`, which may have any.
    pub fn required_level(self) -> Option<Level> {
        match self {
            Kind::Commune | Kind::Municipality => Some(Level::Local),
            Kind::Epci | Kind::Departement | Kind::District | Kind::Province => {
                Some(Level::Intermediate)
            }
            Kind::Region | Kind::State => Some(Level::Regional),
            Kind::Other => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Commune => "commune",
            Kind::Epci => "epci",
            Kind::Departement => "departement",
            Kind::Region => "region",
            Kind::Municipality => "municipality",
            Kind::District => "district",
            Kind::Province => "province",
            Kind::State => "state",
            Kind::Other => "other",
        }
    }

    /// The French name staff read.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Commune => "commune",
            Kind::Epci => "intercommunalité",
            Kind::Departement => "département",
            Kind::Region => "région",
            Kind::Municipality => "municipalité",
            Kind::District => "district",
            Kind::Province => "province",
            Kind::State => "État fédéré",
            Kind::Other => "autre",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Local, Level::Intermediate, Level::Regional];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Local => "local",
            Level::Intermediate => "intermediate",
            Level::Regional => "regional",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The French name staff read.
    pub fn label(self) -> &'static str {
        match self {
            Level::Local => "échelon local",
            Level::Intermediate => "échelon intermédiaire",
            Level::Regional => "échelon régional",
        }
    }
}

impl Side {
    /// The French name staff read (`collectivité française` / `étrangère`).
    pub fn label(self) -> &'static str {
        match self {
            Side::French => "française",
            Side::Foreign => "étrangère",
        }
    }

    pub fn other(self) -> Side {
        match self {
            Side::French => Side::Foreign,
            Side::Foreign => Side::French,
        }
    }
}
