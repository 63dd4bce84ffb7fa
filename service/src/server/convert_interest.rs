//! Conversions of the interest messages (`interest_service.proto`) and of the
//! history's interests and reconfirmations, typed field by field.

use passerelle_engine::corpus::MutualInterest;
use passerelle_engine::fiche::FieldError;
use passerelle_engine::scoring::InterestBonus;
use passerelle_engine::store::{Interest, InterestKind, NewInterest, Reconfirmation};
use passerelle_proto::v1 as pb;

use super::auth::Caller;
use super::convert::{fiche_id, invalid};

/// The interest an `ExpressInterest` request records, spoken by `caller`.
pub fn new_interest(
    r: pb::ExpressInterestRequest,
    caller: &Caller,
) -> Result<NewInterest, FieldError> {
    Ok(NewInterest {
        fiche: fiche_id("fiche", &r.fiche)?,
        candidate: fiche_id("candidate", &r.candidate)?,
        kind: interest_kind(r.kind)?,
        note: r.note,
        actor: caller.name.clone(),
        at: chrono::Utc::now(),
    })
}

pub fn interest_kind(kind: i32) -> Result<InterestKind, FieldError> {
    match pb::InterestKind::try_from(kind) {
        Ok(pb::InterestKind::Interested) => Ok(InterestKind::Interested),
        Ok(pb::InterestKind::NotInterested) => Ok(InterestKind::NotInterested),
        Ok(pb::InterestKind::Unspecified) | Err(_) => Err(invalid(
            "kind",
            kind,
            "INTERESTED ou NOT_INTERESTED attendu",
        )),
    }
}

pub fn interest(i: &Interest) -> pb::Interest {
    let kind = match i.kind {
        InterestKind::Interested => pb::InterestKind::Interested,
        InterestKind::NotInterested => pb::InterestKind::NotInterested,
    };
    pb::Interest {
        id: i.id,
        fiche_id: i.fiche.as_str().to_owned(),
        candidate_id: i.candidate.as_str().to_owned(),
        kind: kind as i32,
        note: i.note.clone(),
        actor: i.actor.clone(),
        at: i.at.clone(),
    }
}

pub fn mutual(m: &MutualInterest) -> pb::MutualInterest {
    pb::MutualInterest {
        french_id: m.french.as_str().to_owned(),
        french_name: m.french_name.clone(),
        foreign_id: m.foreign.as_str().to_owned(),
        foreign_name: m.foreign_name.clone(),
        since: m.since.clone(),
        total: m.total,
        decided: m.decided,
    }
}

pub fn reconfirmation(r: &Reconfirmation) -> pb::Reconfirmation {
    pb::Reconfirmation {
        fiche_id: r.fiche.as_str().to_owned(),
        note: r.note.clone(),
        actor: r.actor.clone(),
        at: r.at.clone(),
    }
}

pub fn bonus(b: &InterestBonus) -> pb::InterestBonus {
    pb::InterestBonus {
        french: b.sides.french,
        foreign: b.sides.foreign,
        amount: b.amount,
        reasons: b.reasons.clone(),
    }
}
