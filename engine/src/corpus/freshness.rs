//! Fresh fiches: which fiches are to be reconfirmed with their collectivité (older
//! than the configured age, or undated), which calls expire soon, and the record of a
//! collectivité confirming its fiche unchanged.

use std::io::Write;

use chrono::{Days, NaiveDate, Utc};

use super::Corpus;
use super::policy::EXPIRING_WITHIN_DAYS;
use crate::batch::export::{StaleFiches, text_cell};
use crate::error::Result;
use crate::fiche::{Contact, FicheId, Side};
use crate::reference::CountryCode;
use crate::store::{Reconfirmation, Store};

/// A fiche to contact: stale, or with a call expiring soon, or both.
#[derive(Debug, Clone, PartialEq)]
pub struct ToContact {
    pub id: FicheId,
    pub name: String,
    pub country: CountryCode,
    pub side: Side,
    pub updated_on: Option<NaiveDate>,
    /// Older than the age limit, or undated.
    pub stale: bool,
    /// The expiry of its open call, when it falls within the next
    /// [`EXPIRING_WITHIN_DAYS`] days.
    pub call_expires: Option<NaiveDate>,
    /// Personal data: for staff only.
    pub contact: Option<Contact>,
}

/// The fiches to contact on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct FreshnessReport {
    pub today: NaiveDate,
    /// Fiches last updated before this day are stale.
    pub stale_before: NaiveDate,
    /// Calls expiring on or before this day are listed.
    pub expiring_until: NaiveDate,
    /// In id order.
    pub fiches: Vec<ToContact>,
}

/// Header of the freshness CSV.
pub const FRESHNESS_HEADER: [&str; 13] = [
    "id",
    "collectivité",
    "pays",
    "côté",
    "dernière mise à jour",
    "à reconfirmer",
    "appel expirant le",
    "contact",
    "fonction",
    "courriel",
    "téléphone",
    "adresse",
    "site",
];

impl FreshnessReport {
    pub fn stale_count(&self) -> usize {
        self.fiches.iter().filter(|f| f.stale).count()
    }

    pub fn expiring_count(&self) -> usize {
        self.fiches
            .iter()
            .filter(|f| f.call_expires.is_some())
            .count()
    }

    /// The report as CSV (French headers, cells safe to open in a spreadsheet),
    /// contact data included: for staff, in a file only its owner can read.
    pub fn write_csv(&self, out: impl Write) -> std::io::Result<()> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(FRESHNESS_HEADER)?;
        for f in &self.fiches {
            let contact = f.contact.clone().unwrap_or_default();
            let text =
                |value: &Option<String>| text_cell(value.as_deref().unwrap_or("")).into_owned();
            csv.write_record([
                f.id.as_str().to_owned(),
                text_cell(&f.name).into_owned(),
                f.country.as_str().to_owned(),
                f.side.label().to_owned(),
                f.updated_on.map(|d| d.to_string()).unwrap_or_default(),
                if f.stale { "oui" } else { "non" }.to_owned(),
                f.call_expires.map(|d| d.to_string()).unwrap_or_default(),
                text(&contact.name),
                text(&contact.role),
                text(&contact.email),
                text(&contact.phone),
                text(&contact.address),
                text(&contact.website),
            ])?;
        }
        csv.flush()
    }
}

impl Corpus {
    /// The fiches to contact today: stale ones (per the configured age) and those
    /// whose open call expires within [`EXPIRING_WITHIN_DAYS`] days. Read on a
    /// connection of its own, so writes do not wait for it.
    pub fn freshness(&self) -> Result<FreshnessReport> {
        let freshness = self.policy.freshness;
        let stale_before = freshness.stale_before(self.today);
        let expiring_until = self
            .today
            .checked_add_days(Days::new(EXPIRING_WITHIN_DAYS))
            .unwrap_or(NaiveDate::MAX);
        let mut fiches = Vec::new();
        Store::open_existing(&self.data_dir)?.for_each_fiche(|fiche| {
            let updated_on = fiche
                .updated_at
                .as_ref()
                .map(|t| t.to_datetime().naive_utc().date());
            let stale = freshness.is_stale(updated_on, self.today);
            let call_expires = fiche
                .call
                .filter(|call| call.is_open_on(self.today))
                .and_then(|call| call.expires)
                .filter(|&day| day <= expiring_until);
            if stale || call_expires.is_some() {
                fiches.push(ToContact {
                    side: fiche.side(),
                    id: fiche.id,
                    name: fiche.name,
                    country: fiche.country,
                    updated_on,
                    stale,
                    call_expires,
                    contact: fiche.contact,
                });
            }
            Ok(())
        })?;
        Ok(FreshnessReport {
            today: self.today,
            stale_before,
            expiring_until,
            fiches,
        })
    }

    /// The fiches « à reconfirmer » today (per the configured age, undated ones
    /// included), for the exports of batch runs to flag. Read on a connection of
    /// its own, without decoding fiches.
    pub fn stale_fiches(&self) -> Result<StaleFiches> {
        let freshness = self.policy.freshness;
        let days = Store::open_existing(&self.data_dir)?.updated_days()?;
        Ok(StaleFiches::new(days.into_iter().filter_map(
            |(id, day)| freshness.is_stale(day, self.today).then_some(id),
        )))
    }

    /// Records that the collectivité confirmed its fiche unchanged: its `updated_at`
    /// becomes now, in the store and in every derived structure, and the
    /// confirmation is kept. `NotFound` when there is no such fiche.
    pub fn reconfirm(&self, id: &FicheId, note: &str, actor: &str) -> Result<Reconfirmation> {
        let mut store = self.store()?;
        let (record, fiche) = store.reconfirm(id, note, actor, Utc::now())?;
        let generation = store.generation()?;
        self.apply_upserts(std::slice::from_ref(&fiche), generation)?;
        Ok(record)
    }
}
