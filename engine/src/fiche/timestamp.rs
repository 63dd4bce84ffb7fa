//! RFC 3339 timestamps kept as written, so that an export gives back the input.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// An RFC 3339 time (`2026-03-01T10:00:00Z`), validated and kept verbatim.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp(String);

impl Timestamp {
    pub fn parse(text: &str) -> Result<Timestamp, String> {
        DateTime::parse_from_rfc3339(text)
            .map(|_| Timestamp(text.to_owned()))
            .map_err(|e| {
                format!(
                    "{} n'est pas une date-heure RFC 3339 : {e}",
                    super::quote(text)
                )
            })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn to_datetime(&self) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&self.0).expect("validated on construction")
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.0)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}
