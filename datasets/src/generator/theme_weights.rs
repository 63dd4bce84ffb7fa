//! How likely each theme is, by side and role: the generator's picture of French
//! decentralised cooperation. French offers lean to governance, water, education,
//! culture, waste and energy; requests of least-developed countries lean to water,
//! health, education, food security and civil registry.

use passerelle_engine::reference::{THEME_COUNT, ThemeCode};

use crate::DatasetError;

/// A weight per theme (index of `themes.csv`), every theme possible.
pub type Weights = [f64; THEME_COUNT];

const FRENCH_PROFILE: &[(&str, f64)] = &[
    ("culture-patrimoine", 5.0),
    ("tourisme", 3.0),
    ("agriculture", 3.0),
    ("jeunesse", 3.0),
    ("education", 3.0),
    ("environnement-biodiversite", 3.0),
    ("developpement-economique", 3.0),
    ("sport", 2.0),
    ("action-sociale", 2.0),
    ("mobilite-transport", 2.0),
    ("energie", 2.0),
    ("dechets", 2.0),
    ("eau-assainissement", 2.0),
];

const FRENCH_OFFER: &[(&str, f64)] = &[
    ("gouvernance-locale", 7.0),
    ("eau-assainissement", 6.0),
    ("education", 5.0),
    ("culture-patrimoine", 5.0),
    ("dechets", 5.0),
    ("energie", 5.0),
    ("finances-locales", 3.0),
    ("etat-civil", 2.0),
    ("climat", 3.0),
    ("jeunesse", 3.0),
    ("agriculture", 3.0),
    ("sante", 3.0),
    ("urbanisme", 2.0),
    ("numerique", 2.0),
    ("developpement-economique", 2.0),
];

const FRENCH_REQUEST: &[(&str, f64)] = &[
    ("jeunesse", 7.0),
    ("citoyennete-ecsi", 7.0),
    ("culture-patrimoine", 5.0),
    ("developpement-economique", 3.0),
    ("francophonie", 3.0),
    ("migrations-codeveloppement", 3.0),
    ("enseignement-superieur", 2.0),
    ("climat", 2.0),
    ("sport", 2.0),
];

const FOREIGN_PROFILE_LDC: &[(&str, f64)] = &[
    ("agriculture", 6.0),
    ("securite-alimentaire", 4.0),
    ("eau-assainissement", 4.0),
    ("sante", 3.0),
    ("education", 3.0),
    ("developpement-economique", 2.0),
    ("culture-patrimoine", 2.0),
    ("environnement-biodiversite", 2.0),
    ("risques-catastrophes", 2.0),
];

const FOREIGN_PROFILE: &[(&str, f64)] = &[
    ("culture-patrimoine", 4.0),
    ("tourisme", 4.0),
    ("developpement-economique", 4.0),
    ("agriculture", 3.0),
    ("enseignement-superieur", 2.0),
    ("mobilite-transport", 2.0),
    ("urbanisme", 2.0),
    ("environnement-biodiversite", 2.0),
];

const FOREIGN_REQUEST_LDC: &[(&str, f64)] = &[
    ("eau-assainissement", 9.0),
    ("sante", 8.0),
    ("education", 8.0),
    ("securite-alimentaire", 7.0),
    ("etat-civil", 6.0),
    ("agriculture", 4.0),
    ("gouvernance-locale", 4.0),
    ("finances-locales", 3.0),
    ("dechets", 3.0),
    ("energie", 3.0),
    ("egalite-genre", 2.0),
    ("risques-catastrophes", 2.0),
];

const FOREIGN_REQUEST: &[(&str, f64)] = &[
    ("developpement-economique", 5.0),
    ("tourisme", 4.0),
    ("culture-patrimoine", 4.0),
    ("numerique", 4.0),
    ("climat", 4.0),
    ("enseignement-superieur", 4.0),
    ("dechets", 3.0),
    ("energie", 3.0),
    ("mobilite-transport", 3.0),
    ("urbanisme", 3.0),
    ("gouvernance-locale", 3.0),
    ("jeunesse", 3.0),
    ("eau-assainissement", 2.0),
];

const FOREIGN_OFFER: &[(&str, f64)] = &[
    ("culture-patrimoine", 6.0),
    ("tourisme", 4.0),
    ("agriculture", 3.0),
    ("jeunesse", 3.0),
    ("francophonie", 2.0),
    ("sport", 2.0),
    ("economie-sociale-solidaire", 2.0),
    ("enseignement-superieur", 2.0),
];

/// Themes of twinnings, when they name some.
pub const TWINNING_THEMES: [&str; 6] = [
    "culture-patrimoine",
    "jeunesse",
    "sport",
    "education",
    "citoyennete-ecsi",
    "paix-memoire",
];

/// The weight tables, resolved against the themes table once.
#[derive(Debug)]
pub struct ThemeWeights {
    pub french_profile: Weights,
    pub french_offer: Weights,
    pub french_request: Weights,
    pub foreign_profile_ldc: Weights,
    pub foreign_profile: Weights,
    pub foreign_request_ldc: Weights,
    pub foreign_request: Weights,
    pub foreign_offer: Weights,
    pub twinning: Vec<ThemeCode>,
}

impl ThemeWeights {
    pub fn new() -> Result<ThemeWeights, DatasetError> {
        Ok(ThemeWeights {
            french_profile: table(FRENCH_PROFILE)?,
            french_offer: table(FRENCH_OFFER)?,
            french_request: table(FRENCH_REQUEST)?,
            foreign_profile_ldc: table(FOREIGN_PROFILE_LDC)?,
            foreign_profile: table(FOREIGN_PROFILE)?,
            foreign_request_ldc: table(FOREIGN_REQUEST_LDC)?,
            foreign_request: table(FOREIGN_REQUEST)?,
            foreign_offer: table(FOREIGN_OFFER)?,
            twinning: TWINNING_THEMES
                .iter()
                .map(|c| theme(c))
                .collect::<Result<_, _>>()?,
        })
    }
}

pub fn theme(code: &'static str) -> Result<ThemeCode, DatasetError> {
    ThemeCode::parse(code).ok_or(DatasetError::UnknownTheme(code))
}

/// Base weight 1 for every theme, raised for the listed ones.
fn table(boosts: &[(&'static str, f64)]) -> Result<Weights, DatasetError> {
    let mut weights = [1.0; THEME_COUNT];
    for (code, weight) in boosts {
        weights[theme(code)?.index()] = *weight;
    }
    Ok(weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_tables_is_a_theme() {
        ThemeWeights::new().unwrap();
    }
}
