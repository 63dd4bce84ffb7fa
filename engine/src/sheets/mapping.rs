//! Which column of a sheet holds which part of a fiche: a TOML file, or the built-in
//! mapping of Passerelle's own fiche export (so that a round trip needs none).
//!
//! ```toml
//! sheet = "Collectivités"          # default: the first sheet
//! header_row = 1                   # the row of the headers; data starts below
//! list_separator = ";"             # between the items of a list cell (line breaks too)
//!
//! [columns]                        # field = "header of its column"
//! name = "Nom"
//! insee = "Code INSEE"
//! population = "Population"
//! themes = "Thématiques"
//! offer_text = "Ce que nous proposons"
//!
//! [defaults]                       # field = value, for a column the sheet does not have
//! country = "FR"
//! call_status = "ouvert"
//! ```
//!
//! Headers are compared without regard to case, accents or surrounding spaces; a
//! header that appears twice, or a mapped one that is missing, is a problem naming
//! it. Unknown keys and fields are refused, listing the known ones.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// A part of a fiche a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Id,
    Name,
    AltNames,
    /// A French collectivité's INSEE code (a commune's five characters), an EPCI's
    /// SIREN, or with `kind` a département's or a région's code: the fiche is
    /// completed from the embedded geography.
    Insee,
    /// A foreign place's GeoNames id: the fiche is completed from the embedded
    /// geography.
    Geonames,
    Country,
    Kind,
    Level,
    Region,
    Departement,
    Admin1,
    Admin1Name,
    Lat,
    Lon,
    Approximate,
    Population,
    AreaKm2,
    Languages,
    ContactName,
    ContactRole,
    ContactEmail,
    ContactPhone,
    ContactAddress,
    ContactWebsite,
    Activities,
    /// The territory's profile: theme codes or French labels, each optionally
    /// weighted (`eau-assainissement:0.8`; 1 when not said).
    Themes,
    OfferThemes,
    OfferText,
    RequestThemes,
    RequestText,
    /// Existing partnerships, as the JSON array of `fiche.md`.
    Partnerships,
    /// Foreign actors on the territory, as the JSON array of `fiche.md`.
    ForeignActors,
    CallStatus,
    CallPublished,
    CallExpires,
    UpdatedAt,
    /// Where the parts of the fiche come from, as a JSON object of strings.
    Provenance,
}

impl Field {
    /// Every field, in the order of Passerelle's fiche export.
    pub const ALL: [Field; 37] = [
        Field::Id,
        Field::Name,
        Field::AltNames,
        Field::Insee,
        Field::Geonames,
        Field::Country,
        Field::Kind,
        Field::Level,
        Field::Region,
        Field::Departement,
        Field::Admin1,
        Field::Admin1Name,
        Field::Lat,
        Field::Lon,
        Field::Approximate,
        Field::Population,
        Field::AreaKm2,
        Field::Languages,
        Field::ContactName,
        Field::ContactRole,
        Field::ContactEmail,
        Field::ContactPhone,
        Field::ContactAddress,
        Field::ContactWebsite,
        Field::Activities,
        Field::Themes,
        Field::OfferThemes,
        Field::OfferText,
        Field::RequestThemes,
        Field::RequestText,
        Field::Partnerships,
        Field::ForeignActors,
        Field::CallStatus,
        Field::CallPublished,
        Field::CallExpires,
        Field::UpdatedAt,
        Field::Provenance,
    ];

    /// The key of the field in a mapping file.
    pub fn key(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::AltNames => "alt_names",
            Field::Insee => "insee",
            Field::Geonames => "geonames",
            Field::Country => "country",
            Field::Kind => "kind",
            Field::Level => "level",
            Field::Region => "region",
            Field::Departement => "departement",
            Field::Admin1 => "admin1",
            Field::Admin1Name => "admin1_name",
            Field::Lat => "lat",
            Field::Lon => "lon",
            Field::Approximate => "approximate",
            Field::Population => "population",
            Field::AreaKm2 => "area_km2",
            Field::Languages => "languages",
            Field::ContactName => "contact_name",
            Field::ContactRole => "contact_role",
            Field::ContactEmail => "contact_email",
            Field::ContactPhone => "contact_phone",
            Field::ContactAddress => "contact_address",
            Field::ContactWebsite => "contact_website",
            Field::Activities => "activities",
            Field::Themes => "themes",
            Field::OfferThemes => "offer_themes",
            Field::OfferText => "offer_text",
            Field::RequestThemes => "request_themes",
            Field::RequestText => "request_text",
            Field::Partnerships => "partnerships",
            Field::ForeignActors => "foreign_actors",
            Field::CallStatus => "call_status",
            Field::CallPublished => "call_published",
            Field::CallExpires => "call_expires",
            Field::UpdatedAt => "updated_at",
            Field::Provenance => "provenance",
        }
    }

    /// Its header in Passerelle's fiche export (French: staff open these files).
    pub const fn header(self) -> &'static str {
        match self {
            Field::Id => "Identifiant",
            Field::Name => "Nom",
            Field::AltNames => "Autres noms",
            Field::Insee => "Code INSEE",
            Field::Geonames => "Identifiant GeoNames",
            Field::Country => "Pays",
            Field::Kind => "Type",
            Field::Level => "Niveau",
            Field::Region => "Région",
            Field::Departement => "Département",
            Field::Admin1 => "Division (admin1)",
            Field::Admin1Name => "Nom de la division",
            Field::Lat => "Latitude",
            Field::Lon => "Longitude",
            Field::Approximate => "Position approximative",
            Field::Population => "Population",
            Field::AreaKm2 => "Superficie (km²)",
            Field::Languages => "Langues",
            Field::ContactName => "Contact : nom",
            Field::ContactRole => "Contact : fonction",
            Field::ContactEmail => "Contact : courriel",
            Field::ContactPhone => "Contact : téléphone",
            Field::ContactAddress => "Contact : adresse",
            Field::ContactWebsite => "Contact : site web",
            Field::Activities => "Activités",
            Field::Themes => "Thèmes du territoire",
            Field::OfferThemes => "Offre : thèmes",
            Field::OfferText => "Offre : texte",
            Field::RequestThemes => "Demande : thèmes",
            Field::RequestText => "Demande : texte",
            Field::Partnerships => "Partenariats (JSON)",
            Field::ForeignActors => "Acteurs étrangers (JSON)",
            Field::CallStatus => "Appel : statut",
            Field::CallPublished => "Appel : publié le",
            Field::CallExpires => "Appel : expire le",
            Field::UpdatedAt => "Mis à jour",
            Field::Provenance => "Provenance (JSON)",
        }
    }

    /// Is it in Passerelle's fiche export? (The INSEE code and the GeoNames id are
    /// inputs for completion; an exported fiche has its id.)
    pub fn exported(self) -> bool {
        !matches!(self, Field::Insee | Field::Geonames)
    }

    /// The field of a fiche path (`location.lat`, `themes[2].weight`): which column
    /// a validation error is about.
    pub fn of_path(path: &str) -> Option<Field> {
        let head = path.split(['.', '[']).next().unwrap_or(path);
        let rest = path[head.len()..].trim_start_matches('.');
        let rest = rest.split(['.', '[']).next().unwrap_or("");
        Some(match (head, rest) {
            ("id", _) => Field::Id,
            ("name", _) => Field::Name,
            ("alt_names", _) => Field::AltNames,
            ("country", _) => Field::Country,
            ("kind", _) => Field::Kind,
            ("level", _) => Field::Level,
            ("admin", "region") => Field::Region,
            ("admin", "departement") => Field::Departement,
            ("admin", "admin1") => Field::Admin1,
            ("admin", "admin1_name") => Field::Admin1Name,
            ("location", "lon") => Field::Lon,
            ("location", "approximate") => Field::Approximate,
            ("location", _) => Field::Lat,
            ("population", _) => Field::Population,
            ("area_km2", _) => Field::AreaKm2,
            ("languages", _) => Field::Languages,
            ("contact", "role") => Field::ContactRole,
            ("contact", "email") => Field::ContactEmail,
            ("contact", "phone") => Field::ContactPhone,
            ("contact", "address") => Field::ContactAddress,
            ("contact", "website") => Field::ContactWebsite,
            ("contact", _) => Field::ContactName,
            ("activities", _) => Field::Activities,
            ("themes", _) => Field::Themes,
            ("offer", "themes") => Field::OfferThemes,
            ("offer", _) => Field::OfferText,
            ("request", "themes") => Field::RequestThemes,
            ("request", _) => Field::RequestText,
            ("partnerships", _) => Field::Partnerships,
            ("foreign_actors", _) => Field::ForeignActors,
            ("call", "published") => Field::CallPublished,
            ("call", "expires") => Field::CallExpires,
            ("call", _) => Field::CallStatus,
            ("updated_at", _) => Field::UpdatedAt,
            ("provenance", _) => Field::Provenance,
            _ => return None,
        })
    }
}

/// How to read a sheet: which sheet, where the headers are, and which column holds
/// which field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The sheet to read (a workbook's first when absent; a CSV file has one).
    #[serde(default)]
    pub sheet: Option<String>,
    /// 1-based row of the headers; data rows follow it.
    #[serde(default = "first_row")]
    pub header_row: u32,
    /// Between the items of a list cell (themes, languages, other names); a line
    /// break always separates items too.
    #[serde(default = "semicolon")]
    pub list_separator: String,
    /// Field → the header of its column.
    pub columns: BTreeMap<Field, String>,
    /// Field → a value for every row, for a field no column holds.
    #[serde(default)]
    pub defaults: BTreeMap<Field, String>,
}

fn first_row() -> u32 {
    1
}

fn semicolon() -> String {
    ";".to_owned()
}

/// A mapping file larger than this is refused before it is parsed.
const MAX_MAPPING_BYTES: u64 = 64 * 1024;

impl Mapping {
    /// The mapping of Passerelle's own fiche export ([`super::write_fiches`]): every
    /// exported field under its French header, lists one item per line.
    pub fn passerelle() -> Mapping {
        Mapping {
            sheet: None,
            header_row: 1,
            list_separator: "\n".to_owned(),
            columns: Field::ALL
                .into_iter()
                .filter(|f| f.exported())
                .map(|f| (f, f.header().to_owned()))
                .collect(),
            defaults: BTreeMap::new(),
        }
    }

    /// Parses a mapping file's text; `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<Mapping> {
        let bad = |message: String| Error::Mapping {
            file: source.to_owned(),
            message,
        };
        let mapping: Mapping = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        if mapping.header_row == 0 {
            return Err(bad(
                "header_row : les lignes sont numérotées à partir de 1".into()
            ));
        }
        if mapping.list_separator.is_empty() {
            return Err(bad("list_separator : ne peut pas être vide".into()));
        }
        if let Some(field) = mapping
            .columns
            .keys()
            .find(|f| mapping.defaults.contains_key(f))
        {
            return Err(bad(format!(
                "le champ {} a une colonne et une valeur par défaut : choisissez",
                field.key()
            )));
        }
        let named = |f: &Field| mapping.columns.contains_key(f) || mapping.defaults.contains_key(f);
        let identified = [Field::Id, Field::Name, Field::Insee, Field::Geonames]
            .iter()
            .any(named);
        if !identified {
            return Err(bad(
                "aucune colonne n'identifie la collectivité : donnez au moins id, name, insee ou geonames".into(),
            ));
        }
        Ok(mapping)
    }

    /// Reads and parses a mapping file.
    pub fn read(path: &Path) -> Result<Mapping> {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let len = std::fs::metadata(path).map_err(io)?.len();
        if len > MAX_MAPPING_BYTES {
            return Err(Error::Mapping {
                file: path.display().to_string(),
                message: format!(
                    "{len} octets : un fichier de correspondance en a au plus {MAX_MAPPING_BYTES}"
                ),
            });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        Mapping::parse(&text, &path.display().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_file_parses_and_unknown_fields_are_refused() {
        let mapping = Mapping::parse(
            "sheet = \"Feuille 1\"\n[columns]\nname = \"Nom\"\ninsee = \"Code\"\n[defaults]\ncountry = \"FR\"\n",
            "m.toml",
        )
        .unwrap();
        assert_eq!(mapping.sheet.as_deref(), Some("Feuille 1"));
        assert_eq!(mapping.columns[&Field::Insee], "Code");
        assert_eq!(mapping.defaults[&Field::Country], "FR");
        assert_eq!(mapping.list_separator, ";");

        let error = Mapping::parse("[columns]\nmayor = \"Maire\"\n", "m.toml").unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("m.toml") && message.contains("mayor"),
            "{message}"
        );
        let error = Mapping::parse("[columns]\npopulation = \"P\"\n", "m.toml").unwrap_err();
        assert!(error.to_string().contains("identifie"), "{error}");
        let error = Mapping::parse(
            "[columns]\nname = \"N\"\n[defaults]\nname = \"X\"\n",
            "m.toml",
        )
        .unwrap_err();
        assert!(error.to_string().contains("choisissez"), "{error}");
    }

    #[test]
    fn every_fiche_path_has_its_column() {
        for (path, field) in [
            ("location.lat", Field::Lat),
            ("location.lon", Field::Lon),
            ("themes[2].weight", Field::Themes),
            ("offer.text", Field::OfferText),
            ("request.themes[0]", Field::RequestThemes),
            ("contact.email", Field::ContactEmail),
            ("partnerships[1].since", Field::Partnerships),
            ("call.expires", Field::CallExpires),
            ("provenance.source", Field::Provenance),
            ("admin.departement", Field::Departement),
        ] {
            assert_eq!(Field::of_path(path), Some(field), "{path}");
        }
        let keys: std::collections::HashSet<_> = Field::ALL.iter().map(|f| f.key()).collect();
        assert_eq!(keys.len(), Field::ALL.len());
        let built_in = Mapping::passerelle();
        assert_eq!(built_in.columns.len(), Field::ALL.len() - 2);
    }
}
