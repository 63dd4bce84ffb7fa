//! Existing partnerships: twinnings (mostly with European towns) and cooperations
//! (concentrated on a few African countries, plus Haiti, Vietnam, Lebanon…).
//!
//! Only French fiches start links, as in the Atlas of decentralised cooperation; their
//! number grows with population (most small communes have none). The partner is drawn
//! among the foreign fiches of the chosen country, weighted by population, and every
//! link is written on both fiches so that the corpus is symmetric.

use std::collections::BTreeMap;

use passerelle_engine::fiche::{Fiche, Kind, Partnership, PartnershipKind, Side};
use passerelle_engine::reference::{CountryCode, ThemeCode};

use super::theme_weights::ThemeWeights;
use crate::random::{Cumulative, Rng};

/// Countries of twinnings, by weight.
const TWINNING_COUNTRIES: &[(&str, f64)] = &[
    ("DE", 30.0),
    ("IT", 14.0),
    ("GB", 14.0),
    ("ES", 10.0),
    ("BE", 5.0),
    ("PL", 5.0),
    ("PT", 5.0),
    ("RO", 4.0),
    ("IE", 2.0),
    ("AT", 2.0),
    ("CH", 2.0),
    ("NL", 2.0),
    ("HU", 2.0),
    ("CZ", 2.0),
    ("CA", 2.0),
    ("US", 2.0),
    ("LU", 1.0),
    ("GR", 1.0),
    ("SK", 1.0),
    ("BG", 1.0),
];

/// Countries of cooperations, by weight.
const COOPERATION_COUNTRIES: &[(&str, f64)] = &[
    ("SN", 12.0),
    ("BJ", 10.0),
    ("BF", 10.0),
    ("ML", 8.0),
    ("MA", 8.0),
    ("MG", 7.0),
    ("TN", 5.0),
    ("CM", 5.0),
    ("NE", 5.0),
    ("TG", 4.0),
    ("HT", 4.0),
    ("VN", 4.0),
    ("LB", 3.0),
    ("CI", 3.0),
    ("MR", 2.0),
    ("GN", 2.0),
    ("DZ", 2.0),
    ("KH", 2.0),
    ("CD", 2.0),
    ("AM", 2.0),
    ("PS", 2.0),
    ("CN", 2.0),
    ("BR", 2.0),
    ("LA", 1.0),
    ("TD", 1.0),
    ("RW", 1.0),
    ("CL", 1.0),
    ("MX", 1.0),
];

/// Draws countries, then places within a country weighted by population.
struct Pools {
    countries: Vec<CountryCode>,
    draw_country: Cumulative,
    places: BTreeMap<CountryCode, (Vec<usize>, Cumulative)>,
}

impl Pools {
    fn new(
        table: &[(&str, f64)],
        by_country: &BTreeMap<CountryCode, Vec<usize>>,
        fiches: &[Fiche],
    ) -> Pools {
        let mut countries = Vec::new();
        let mut weights = Vec::new();
        let mut places = BTreeMap::new();
        for (code, weight) in table {
            let Some(country) = CountryCode::parse(code) else {
                continue;
            };
            let Some(indices) = by_country.get(&country) else {
                continue;
            };
            let draw = Cumulative::new(
                indices
                    .iter()
                    .map(|&i| (fiches[i].population as f64 + 2_000.0).sqrt()),
            );
            countries.push(country);
            weights.push(*weight);
            places.insert(country, (indices.clone(), draw));
        }
        Pools {
            countries,
            draw_country: Cumulative::new(weights),
            places,
        }
    }

    fn draw(&self, rng: &mut Rng) -> Option<usize> {
        let country = self.countries[self.draw_country.draw(rng)?];
        let (indices, draw) = &self.places[&country];
        Some(indices[draw.draw(rng)?])
    }
}

/// Adds partnerships to the French fiches and their mirror to the foreign partners.
/// `fiches` must be sorted by id (the order of drawing).
pub fn link(fiches: &mut [Fiche], seed: u64, weights: &ThemeWeights) {
    let mut by_country: BTreeMap<CountryCode, Vec<usize>> = BTreeMap::new();
    for (i, fiche) in fiches.iter().enumerate() {
        if fiche.side() == Side::Foreign {
            by_country.entry(fiche.country).or_default().push(i);
        }
    }
    let twinning = Pools::new(TWINNING_COUNTRIES, &by_country, fiches);
    let cooperation = Pools::new(COOPERATION_COUNTRIES, &by_country, fiches);

    let mut mirrors: Vec<(usize, Partnership)> = Vec::new();
    for i in 0..fiches.len() {
        if fiches[i].side() != Side::French {
            continue;
        }
        let mut rng = Rng::for_key(seed, "partnerships", fiches[i].id.as_str());
        let count = rng.poisson(mean_count(&fiches[i])).min(12);
        let mut links = Vec::with_capacity(count);
        for _ in 0..count {
            let kind = if rng.chance(twinning_share(fiches[i].kind)) {
                PartnershipKind::Jumelage
            } else {
                PartnershipKind::Cooperation
            };
            let pools = if kind == PartnershipKind::Jumelage {
                &twinning
            } else {
                &cooperation
            };
            let partner = (0..4)
                .filter_map(|_| pools.draw(&mut rng))
                .find(|j| !links.iter().any(|(k, _)| k == j));
            let Some(j) = partner else { continue };
            let link = new_link(&fiches[i], &fiches[j], kind, &mut rng, weights);
            links.push((j, link));
        }
        for (j, link) in links {
            let mirror = Partnership {
                partner_id: Some(fiches[i].id.clone()),
                partner_name: Some(fiches[i].name.clone()),
                country: Some(fiches[i].country),
                ..link.clone()
            };
            fiches[i].partnerships.push(link);
            mirrors.push((j, mirror));
        }
    }
    for (j, mirror) in mirrors {
        fiches[j].partnerships.push(mirror);
    }
}

/// Expected number of partnerships started by a French fiche.
fn mean_count(fiche: &Fiche) -> f64 {
    let population = fiche.population;
    let share_of = |full: f64| (population as f64 / full).clamp(0.2, 1.0);
    match fiche.kind {
        // Uninhabited territories (TAAF, Clipperton) have no partners.
        _ if population == 0 => 0.0,
        Kind::Region => 6.0 * share_of(1_000_000.0),
        Kind::Departement => 3.5 * share_of(500_000.0),
        Kind::Epci => 0.2 + population as f64 / 400_000.0,
        _ => match population {
            0..500 => 0.015,
            500..1_000 => 0.06,
            1_000..2_000 => 0.15,
            2_000..5_000 => 0.45,
            5_000..10_000 => 1.0,
            10_000..20_000 => 1.8,
            20_000..50_000 => 3.0,
            50_000..100_000 => 4.5,
            100_000..300_000 => 6.5,
            _ => 9.0,
        },
    }
}

/// Communes mostly twin; groupings, départements and régions mostly cooperate.
fn twinning_share(kind: Kind) -> f64 {
    match kind {
        Kind::Commune => 0.72,
        Kind::Epci => 0.1,
        _ => 0.12,
    }
}

fn new_link(
    french: &Fiche,
    partner: &Fiche,
    kind: PartnershipKind,
    rng: &mut Rng,
    weights: &ThemeWeights,
) -> Partnership {
    let (since, active, themes) = match kind {
        PartnershipKind::Jumelage => {
            let since = 1960 + (65.0 * rng.unit().powf(1.3)) as i32;
            let themes = if rng.chance(0.4) {
                let n = 1 + rng.below(2);
                rng.weighted_distinct(&vec![1.0; weights.twinning.len()], n)
                    .into_iter()
                    .map(|k| weights.twinning[k])
                    .collect()
            } else {
                Vec::new()
            };
            (since, rng.chance(0.88), themes)
        }
        _ => {
            let since = 1980 + (45.0 * rng.unit().powf(0.8)) as i32;
            (
                since,
                rng.chance(0.75),
                cooperation_themes(french, partner, rng),
            )
        }
    };
    Partnership {
        partner_id: Some(partner.id.clone()),
        partner_name: Some(partner.name.clone()),
        country: Some(partner.country),
        kind,
        since: Some(since.min(2025)),
        themes,
        active,
    }
}

/// One to three themes, from what the French side offers and the partner seeks.
fn cooperation_themes(french: &Fiche, partner: &Fiche, rng: &mut Rng) -> Vec<ThemeCode> {
    let offered = french
        .offer
        .as_ref()
        .map(|o| o.themes.as_slice())
        .unwrap_or_default();
    let sought = partner
        .request
        .as_ref()
        .map(|r| r.themes.as_slice())
        .unwrap_or_default();
    let mut candidates: Vec<ThemeCode> = offered
        .iter()
        .filter(|t| sought.contains(t))
        .copied()
        .collect();
    let mut others: Vec<ThemeCode> = Vec::new();
    for theme in sought.iter().chain(offered) {
        if !candidates.contains(theme) && !others.contains(theme) {
            others.push(*theme);
        }
    }
    let order = rng.weighted_distinct(&vec![1.0; others.len()], others.len());
    candidates.extend(order.into_iter().map(|k| others[k]));
    let n = (1 + rng.below(3)).min(candidates.len());
    candidates.truncate(n);
    candidates
}
