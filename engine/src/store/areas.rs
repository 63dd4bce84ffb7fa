//! How many fiches each administrative area holds: what a batch scope such as
//! `departement:33` or `admin1:BJ/AQ` is checked against, so that a code matching
//! nothing is refused with the codes that exist instead of giving an empty run.

use std::collections::BTreeMap;

use rusqlite::Row;

use super::Store;
use crate::error::{Error, Result};
use crate::fiche::Side;
use crate::reference::CountryCode;

/// Fiches of one side, country and administrative area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaCount {
    pub side: Side,
    pub country: CountryCode,
    /// French fiches: région and département codes.
    pub region: Option<String>,
    pub departement: Option<String>,
    /// Foreign fiches: admin1 code and name.
    pub admin1: Option<String>,
    pub admin1_name: Option<String>,
    pub fiches: u64,
}

/// Side, country, région, département, admin1, admin1 name.
type RawKey = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A row of area counts: side, country, région, département, admin1, admin1 name,
/// fiches.
pub(super) type RawRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

pub(super) fn read(row: &Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
    ))
}

impl Store {
    /// Fiches per side, country and area, in a stable order (side — foreign, then
    /// french —, country, région, département, admin1, admin1 name; no value
    /// first). Read from an index that holds these columns, in its order, so that
    /// nothing is sorted but the groups: not from the fiches' bodies.
    pub fn area_counts(&self) -> Result<Vec<AreaCount>> {
        let mut statement = self.connection.prepare(
            "SELECT CASE WHEN kind IN ('commune', 'epci', 'departement', 'region')
                         THEN 'french' ELSE 'foreign' END,
                    country, region, departement, admin1, admin1_name, COUNT(*)
             FROM fiches INDEXED BY fiches_by_area
             GROUP BY kind, country, region, departement, admin1, admin1_name",
        )?;
        // Groups of kinds, merged by side. Option and String order as SQLite's
        // NULL-first, BINARY-collated ORDER BY did.
        let mut counts: BTreeMap<RawKey, i64> = BTreeMap::new();
        for row in statement.query_map([], read)? {
            let (side, country, region, departement, admin1, admin1_name, fiches) = row?;
            *counts
                .entry((side, country, region, departement, admin1, admin1_name))
                .or_default() += fiches;
        }
        counts
            .into_iter()
            .map(
                |((side, country, region, departement, admin1, admin1_name), fiches)| {
                    let corrupt = || Error::CorruptRecord {
                        id: format!("area {country}"),
                        message: "unknown country code".into(),
                    };
                    Ok(AreaCount {
                        side: if side == "french" {
                            Side::French
                        } else {
                            Side::Foreign
                        },
                        country: CountryCode::parse(&country).ok_or_else(corrupt)?,
                        region,
                        departement,
                        admin1,
                        admin1_name,
                        fiches: fiches as u64,
                    })
                },
            )
            .collect()
    }
}
