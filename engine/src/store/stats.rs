//! Corpus statistics computed by SQL over the query columns (no fiche is decoded).

use chrono::NaiveDate;
use serde::Serialize;

use super::Store;
use crate::error::Result;
use crate::reference::{THEME_COUNT, ThemeCode};

/// Counts over the whole corpus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CorpusStats {
    pub total: u64,
    pub french: u64,
    pub foreign: u64,
    /// `(country, fiches)`, most fiches first, ties by code.
    pub by_country: Vec<(String, u64)>,
    pub by_level: Vec<(String, u64)>,
    pub by_kind: Vec<(String, u64)>,
    pub by_theme: Vec<ThemeCounts>,
    pub calls: CallCounts,
}

/// Fiches naming a theme in their profile, their offer and their request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeCounts {
    pub theme: String,
    pub profile: u64,
    pub offer: u64,
    pub request: u64,
}

/// Calls by state on the stats' date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CallCounts {
    pub open: u64,
    /// Status open but past its expiry date.
    pub expired: u64,
    pub closed: u64,
    pub none: u64,
}

impl Store {
    /// Statistics, with calls judged on `today`.
    pub fn stats(&self, today: NaiveDate) -> Result<CorpusStats> {
        let mut stats = CorpusStats {
            total: self.count()?,
            by_country: self.grouped("country")?,
            by_level: self.grouped("level")?,
            by_kind: self.grouped("kind")?,
            ..CorpusStats::default()
        };
        stats.french = stats
            .by_country
            .iter()
            .find(|(country, _)| country == "FR")
            .map_or(0, |(_, n)| *n);
        stats.foreign = stats.total - stats.french;
        stats.by_theme = self.theme_counts()?;
        stats.calls = self.call_counts(today)?;
        Ok(stats)
    }

    fn grouped(&self, column: &str) -> Result<Vec<(String, u64)>> {
        let sql = format!(
            "SELECT {column}, COUNT(*) AS n FROM fiches GROUP BY {column} ORDER BY n DESC, {column}"
        );
        let mut statement = self.connection.prepare(&sql)?;
        let rows =
            statement.query_map([], |row| Ok((row.get(0)?, row.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn theme_counts(&self) -> Result<Vec<ThemeCounts>> {
        let sums: Vec<String> = (0..THEME_COUNT)
            .flat_map(|bit| {
                ["profile_themes", "offer_themes", "request_themes"]
                    .map(|column| format!("SUM(({column} >> {bit}) & 1)"))
            })
            .collect();
        let sql = format!("SELECT {} FROM fiches", sums.join(", "));
        let sums: Vec<u64> = self.connection.query_row(&sql, [], |row| {
            (0..3 * THEME_COUNT)
                .map(|i| Ok(row.get::<_, Option<i64>>(i)?.unwrap_or(0) as u64))
                .collect()
        })?;
        Ok((0..THEME_COUNT)
            .map(|i| ThemeCounts {
                theme: ThemeCode::from_index(i)
                    .expect("index below THEME_COUNT")
                    .to_string(),
                profile: sums[3 * i],
                offer: sums[3 * i + 1],
                request: sums[3 * i + 2],
            })
            .collect())
    }

    fn call_counts(&self, today: NaiveDate) -> Result<CallCounts> {
        let mut statement = self.connection.prepare(
            "SELECT CASE
                 WHEN call_status = 'open' AND (call_expires IS NULL OR call_expires >= ?1) THEN 0
                 WHEN call_status = 'open' THEN 1
                 WHEN call_status = 'closed' THEN 2
                 ELSE 3 END AS state, COUNT(*)
             FROM fiches GROUP BY state",
        )?;
        let mut counts = CallCounts::default();
        let rows = statement.query_map([today.to_string()], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)? as u64))
        })?;
        for row in rows {
            let (state, n) = row?;
            *match state {
                0 => &mut counts.open,
                1 => &mut counts.expired,
                2 => &mut counts.closed,
                _ => &mut counts.none,
            } = n;
        }
        Ok(counts)
    }
}
