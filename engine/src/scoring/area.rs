//! Foreign areas (a country's first-level division) as compact ids, for pooling at
//! the scale of an area: "a French collectivité already works in this province".

use crate::fiche::{Fiche, Side};
use crate::reference::CountryCode;

/// A hashed `(country, admin1)`; equal areas have equal ids, and distinct ones collide
/// with negligible probability (a few thousand areas in 2³² values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaId(u32);

impl AreaId {
    pub fn of(country: CountryCode, admin1: &str) -> AreaId {
        let hash = format!("{country}/{admin1}")
            .bytes()
            .fold(0x811c_9dc5u32, |hash, byte| {
                (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
            });
        AreaId(hash)
    }

    /// The area of a foreign fiche with a known `admin.admin1`.
    pub fn of_fiche(fiche: &Fiche) -> Option<AreaId> {
        if fiche.side() != Side::Foreign {
            return None;
        }
        let admin1 = fiche.admin.as_ref()?.admin1.as_deref()?;
        Some(AreaId::of(fiche.country, admin1))
    }
}

impl AreaId {
    /// The id as a plain number, for the ranking kernel's columns.
    pub fn bits(self) -> u32 {
        self.0
    }
}
