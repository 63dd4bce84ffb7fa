//! The partnership call, its contact and the update time, dated around the corpus's
//! fixed reference date (never the clock): most big collectivités have an open call,
//! some closed, some still marked open but already expired; small ones more often have
//! no call or a closed one.

use chrono::{Days, NaiveDate};
use passerelle_engine::fiche::{Call, CallStatus, Contact, Fiche, Side, Timestamp};

use super::size::activity;
use crate::random::Rng;

/// Fills `call`, `contact` and `updated_at`.
pub fn fill(fiche: &mut Fiche, seed: u64, today: NaiveDate) {
    let mut rng = Rng::for_key(seed, "call", fiche.id.as_str());
    let active = activity(fiche);
    // Uninhabited territories (TAAF, Clipperton) publish no call.
    let inhabited = fiche.population > 0 || fiche.side() == Side::Foreign;
    fiche.call =
        (rng.chance(0.15 + 0.75 * active) && inhabited).then(|| call(&mut rng, active, today));
    if active >= 0.8 && rng.chance(0.3) {
        fiche.contact = Some(Contact {
            role: Some(role(fiche).to_owned()),
            ..Contact::default()
        });
    }
    let changed = match fiche.call {
        Some(Call {
            published: Some(published),
            ..
        }) => Some(after(published, rng.between(0, 60))),
        _ => rng
            .chance(0.5)
            .then(|| before(today, rng.between(1, 1_000))),
    };
    fiche.updated_at = changed.map(|day| {
        let day = day.min(today);
        let text = format!(
            "{day}T{:02}:{:02}:00Z",
            rng.between(7, 19),
            rng.between(0, 59)
        );
        Timestamp::parse(&text).expect("a formatted date and time is RFC 3339")
    });
}

fn call(rng: &mut Rng, active: f64, today: NaiveDate) -> Call {
    if rng.chance(0.55 + 0.35 * active) {
        // Published up to 500 days ago for one or two years: some have expired.
        let published = before(today, rng.between(0, 500));
        let years = if rng.chance(0.7) { 365 } else { 730 };
        Call {
            status: CallStatus::Open,
            published: Some(published),
            expires: Some(after(published, years)),
        }
    } else {
        let published = before(today, rng.between(200, 1_500));
        Call {
            status: CallStatus::Closed,
            published: Some(published),
            expires: Some(after(published, 365)),
        }
    }
}

fn role(fiche: &Fiche) -> &'static str {
    match (fiche.side(), fiche.languages.first().map(|l| l.as_str())) {
        (Side::French, _) | (_, Some("fr")) => "Service des relations internationales",
        (_, Some("es")) => "Oficina de relaciones internacionales",
        (_, Some("pt")) => "Assessoria de relações internacionais",
        (_, Some("ar")) => "قسم العلاقات الدولية",
        _ => "International relations office",
    }
}

fn before(day: NaiveDate, days: i64) -> NaiveDate {
    day.checked_sub_days(Days::new(days.unsigned_abs()))
        .unwrap_or(day)
}

fn after(day: NaiveDate, days: i64) -> NaiveDate {
    day.checked_add_days(Days::new(days.unsigned_abs()))
        .unwrap_or(day)
}
