//! Fiche identifiers: `FR-COM-69123`, `BJ-COM-BJ-AK-BOU`, `SN-GN-2253354`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest id the exchange format allows.
pub const MAX_ID_LEN: usize = 64;

/// A fiche id matching `^[A-Z]{2}-[A-Z0-9]+-[A-Za-z0-9._-]+$`, at most 64 characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FicheId(String);

impl FicheId {
    pub fn parse(id: &str) -> Result<FicheId, String> {
        if id.len() > MAX_ID_LEN {
            return Err(format!(
                "l'identifiant {} dépasse {MAX_ID_LEN} caractères",
                super::quote(id)
            ));
        }
        if !matches_pattern(id) {
            return Err(format!(
                "l'identifiant {} ne suit pas le motif ^[A-Z]{{2}}-[A-Z0-9]+-[A-Za-z0-9._-]+$",
                super::quote(id)
            ));
        }
        Ok(FicheId(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-letter country prefix.
    pub fn country_prefix(&self) -> &str {
        &self.0[..2]
    }
}

fn matches_pattern(id: &str) -> bool {
    let bytes = id.as_bytes();
    if bytes.len() < 6 || !bytes[..2].iter().all(u8::is_ascii_uppercase) || bytes[2] != b'-' {
        return false;
    }
    let rest = &id[3..];
    let Some((kind, source)) = rest.split_once('-') else {
        return false;
    };
    !kind.is_empty()
        && kind
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && !source.is_empty()
        && source
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl fmt::Display for FicheId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FicheId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FicheId({})", self.0)
    }
}

impl Serialize for FicheId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for FicheId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        FicheId::parse(&id).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_schemes_of_the_spec() {
        for id in [
            "FR-COM-33063",
            "FR-EPCI-200046977",
            "FR-DEP-2A",
            "BJ-COM-BJ-AK-BOU",
            "MA-COM-01.511.01.0",
            "SN-GN-2253354",
        ] {
            assert!(FicheId::parse(id).is_ok(), "{id}");
        }
    }

    #[test]
    fn rejects_ids_off_the_pattern() {
        for id in [
            "",
            "fr-COM-1",
            "FR-com-1",
            "FR-COM-",
            "FR--1",
            "FRA-COM-1",
            "FR-COM-a b",
            "FR-COM",
        ] {
            assert!(FicheId::parse(id).is_err(), "{id}");
        }
        assert!(FicheId::parse(&format!("FR-COM-{}", "1".repeat(60))).is_err());
    }
}
