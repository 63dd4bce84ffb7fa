//! How active a collectivité is, from its kind and size: bigger ones have more themes,
//! longer texts, more partnerships and more often an open call.

use passerelle_engine::fiche::{Fiche, Kind};

/// In [0, 1]: 0 for a village of a few hundred people, 1 for a city of a million.
/// Régions and départements are active whatever their population.
pub fn activity(fiche: &Fiche) -> f64 {
    let by_size = ((((fiche.population as f64) + 1.0).log10() - 2.7) / 3.3).clamp(0.0, 1.0);
    match fiche.kind {
        Kind::Region => 0.7 + 0.3 * by_size,
        Kind::Departement => 0.6 + 0.4 * by_size,
        _ => by_size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_grows_with_population() {
        let line = r#"{"id":"FR-COM-1","country":"FR","kind":"commune","level":"local","name":"X","location":{"lat":0,"lon":0},"population":0,"offer":{"text":"x"}}"#;
        let mut fiche = passerelle_engine::jsonl::parse_fiche(line).unwrap();
        assert_eq!(activity(&fiche), 0.0);
        fiche.population = 20_000;
        let town = activity(&fiche);
        fiche.population = 2_000_000;
        assert_eq!(activity(&fiche), 1.0);
        assert!(town > 0.3 && town < 0.7, "{town}");
    }
}
