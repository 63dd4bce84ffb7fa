//! Foreign actors present on a territory: diasporas (and a few NGOs, universities and
//! companies) in French cities, more and more varied in bigger ones; now and then a
//! French NGO or company in a foreign municipality.

use passerelle_engine::fiche::{ActorKind, Fiche, ForeignActor, Kind, Side};
use passerelle_engine::reference::CountryCode;

use super::size::activity;
use crate::random::Rng;

/// Countries of origin of diasporas in France, by weight.
const DIASPORAS: &[(&str, f64)] = &[
    ("DZ", 10.0),
    ("MA", 10.0),
    ("TN", 6.0),
    ("PT", 6.0),
    ("SN", 5.0),
    ("ML", 4.0),
    ("CI", 4.0),
    ("TR", 4.0),
    ("CM", 3.0),
    ("CD", 3.0),
    ("CN", 3.0),
    ("HT", 2.0),
    ("VN", 2.0),
    ("BJ", 2.0),
    ("KM", 2.0),
    ("MG", 2.0),
];

/// Fills `foreign_actors`.
pub fn fill(fiche: &mut Fiche, seed: u64) {
    let mut rng = Rng::for_key(seed, "actors", fiche.id.as_str());
    fiche.foreign_actors = match fiche.side() {
        Side::French => in_france(fiche, &mut rng),
        Side::Foreign => abroad(fiche, &mut rng),
    };
}

fn in_france(fiche: &Fiche, rng: &mut Rng) -> Vec<ForeignActor> {
    let mean = match (fiche.kind, fiche.population) {
        (Kind::Region, _) => 2.5,
        (Kind::Departement, _) => 1.5,
        (Kind::Epci, p) => 0.1 + p as f64 / 500_000.0,
        (_, 0..10_000) => 0.005,
        (_, 10_000..50_000) => 0.5,
        (_, 50_000..200_000) => 2.0,
        (_, _) => 4.5,
    };
    let count = rng.poisson(mean).min(DIASPORAS.len());
    let weights: Vec<f64> = DIASPORAS.iter().map(|(_, w)| *w).collect();
    rng.weighted_distinct(&weights, count)
        .into_iter()
        .filter_map(|k| CountryCode::parse(DIASPORAS[k].0))
        .map(|country| {
            let kind = *rng.pick(&[
                ActorKind::Diaspora,
                ActorKind::Diaspora,
                ActorKind::Diaspora,
                ActorKind::Diaspora,
                ActorKind::Diaspora,
                ActorKind::Diaspora,
                ActorKind::Ngo,
                ActorKind::University,
                ActorKind::Company,
            ]);
            let what = match kind {
                ActorKind::Diaspora => "Association des ressortissants",
                ActorKind::Ngo => "Association de solidarité",
                ActorKind::University => "Association d'étudiants et de chercheurs",
                _ => "Réseau d'entreprises",
            };
            let name = format!("{what} — {} ({})", country.info().name_fr, fiche.name);
            ForeignActor {
                country,
                kind,
                name: Some(name),
            }
        })
        .collect()
}

fn abroad(fiche: &Fiche, rng: &mut Rng) -> Vec<ForeignActor> {
    if !rng.chance(0.01 + 0.05 * activity(fiche)) {
        return Vec::new();
    }
    let (kind, what) = if rng.chance(0.6) {
        (ActorKind::Ngo, "ONG française")
    } else {
        (ActorKind::Company, "Entreprise française")
    };
    vec![ForeignActor {
        country: CountryCode::FRANCE,
        kind,
        name: Some(format!("{what} ({})", fiche.name)),
    }]
}
