//! A fiche's partnership call as the map shows it, judged on a date the way the
//! store's statistics judge it (open, expired, closed, none), with the open calls
//! about to expire set apart.

use chrono::NaiveDate;

use crate::fiche::{Call, CallStatus};

/// An open call expiring on or before `today + EXPIRING_WITHIN_DAYS` is *expiring*.
pub const EXPIRING_WITHIN_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallState {
    /// No call.
    None,
    /// Open, with no expiry date within [`EXPIRING_WITHIN_DAYS`].
    Open,
    /// Open and expiring within [`EXPIRING_WITHIN_DAYS`] days (the expiry day is the
    /// last day it is open).
    Expiring,
    /// Status open but past its expiry date.
    Expired,
    /// Closed.
    Closed,
}

impl CallState {
    pub const ALL: [CallState; 5] = [
        CallState::None,
        CallState::Open,
        CallState::Expiring,
        CallState::Expired,
        CallState::Closed,
    ];

    pub fn of(call: Option<&Call>, today: NaiveDate) -> CallState {
        let Some(call) = call else {
            return CallState::None;
        };
        match (call.status, call.expires) {
            (CallStatus::Closed, _) => CallState::Closed,
            (CallStatus::Open, None) => CallState::Open,
            (CallStatus::Open, Some(expires)) if expires < today => CallState::Expired,
            (CallStatus::Open, Some(expires))
                if (expires - today).num_days() <= EXPIRING_WITHIN_DAYS =>
            {
                CallState::Expiring
            }
            (CallStatus::Open, Some(_)) => CallState::Open,
        }
    }

    /// Open on the date (expiring or not): what `Call::is_open_on` says.
    pub fn is_open(self) -> bool {
        matches!(self, CallState::Open | CallState::Expiring)
    }

    /// A stable small number (0..5) for compact encodings.
    pub fn index(self) -> u8 {
        self as u8
    }

    /// The French label staff read.
    pub fn label_fr(self) -> &'static str {
        match self {
            CallState::None => "sans appel",
            CallState::Open => "appel ouvert",
            CallState::Expiring => "appel expirant sous 30 jours",
            CallState::Expired => "appel expiré",
            CallState::Closed => "appel clos",
        }
    }
}
