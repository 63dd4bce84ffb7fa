//! One row of a sheet → one fiche, or every problem of the row, each naming its
//! column and quoting its value.
//!
//! Cells are read by type: numbers from number cells or text (`12 345`, `44,84`),
//! dates from date cells or text (`2026-02-01`, `01/02/2026`), booleans from boolean
//! cells or `oui`/`non`/`vrai`/`faux`/`true`/`false`/`1`/`0`. Theme cells take codes
//! or French labels. A fiche given by an INSEE code, a GeoNames id, or (French) its
//! name alone is completed from the [`Gazetteer`], and its provenance says so. The
//! fiche is then validated like any other; a rule it breaks is reported on the
//! column of the field.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::complete::{COMPLETION_KEY, Gazetteer, completion_note, french_id};
use super::mapping::Field;
use super::table::Cell;
use crate::fiche::{
    Admin, Call, CallStatus, Contact, Fiche, FicheId, Intent, Kind, LanguageCode, Level, Location,
    Timestamp, WeightedTheme,
};
use crate::jsonl::LineError;
use crate::reference::{CountryCode, ThemeCode};

/// Where each mapped field is in the sheet, and the defaults.
#[derive(Debug)]
pub(super) struct Layout {
    /// Field → (0-based column, its label in problems: `C « Population »`).
    pub columns: BTreeMap<Field, (usize, String)>,
    pub defaults: BTreeMap<Field, String>,
    pub separator: String,
}

/// Reads the rows of one sheet.
pub(super) struct RowReader<'a> {
    pub layout: &'a Layout,
    pub gazetteer: Option<&'a dyn Gazetteer>,
}

/// A problem of a row: the column it is in (`C « Population »`) and what is wrong.
pub(super) type CellProblem = (Option<String>, LineError);

/// The problems of one row, gathered.
#[derive(Default)]
struct Problems(Vec<CellProblem>);

impl Problems {
    fn add(&mut self, layout: &Layout, field: Field, message: String) {
        self.0.push((
            Some(label(layout, field)),
            LineError {
                field: Some(field.key().to_owned()),
                message,
            },
        ));
    }

    /// A problem about `field` was found already (a value that did not parse is
    /// not also said to be missing).
    fn has(&self, field: Field) -> bool {
        self.0
            .iter()
            .any(|(_, p)| p.field.as_deref() == Some(field.key()))
    }
}

fn label(layout: &Layout, field: Field) -> String {
    match layout.columns.get(&field) {
        Some((_, label)) => label.clone(),
        None if layout.defaults.contains_key(&field) => {
            format!("(valeur par défaut de {})", field.key())
        }
        None => format!("(aucune colonne pour {})", field.key()),
    }
}

impl RowReader<'_> {
    /// The cell of `field` in `cells` (a default as text), `None` when blank.
    fn cell<'c>(&self, cells: &'c [Cell], field: Field) -> Option<std::borrow::Cow<'c, Cell>> {
        let layout = self.layout;
        let cell = match layout.columns.get(&field) {
            Some((index, _)) => std::borrow::Cow::Borrowed(cells.get(*index)?),
            None => std::borrow::Cow::Owned(Cell::Text(layout.defaults.get(&field)?.clone())),
        };
        (!cell.is_blank()).then_some(cell)
    }

    /// The fiche of a row, or all its problems.
    pub fn fiche(&self, cells: &[Cell]) -> Result<Fiche, Vec<CellProblem>> {
        let mut problems = Problems::default();
        let fiche = self.assemble(cells, &mut problems);
        match (fiche, problems.0.is_empty()) {
            (Some(fiche), true) => match fiche.validate() {
                Ok(()) => Ok(fiche),
                Err(error) => {
                    let field = Field::of_path(&error.field);
                    Err(vec![(
                        field.map(|f| label(self.layout, f)),
                        LineError {
                            field: Some(error.field),
                            message: format!("{}: {}", error.value, error.reason),
                        },
                    )])
                }
            },
            _ => Err(problems.0),
        }
    }

    fn assemble(&self, cells: &[Cell], problems: &mut Problems) -> Option<Fiche> {
        let layout = self.layout;
        let mut read = Read {
            reader: self,
            cells,
            problems,
        };
        let kind = read.value(Field::Kind, parse_kind);
        let country = read.value(Field::Country, parse_country);
        let id = read.value(Field::Id, |cell| FicheId::parse(&text_of(cell)));
        let name = read.text(Field::Name);
        let skeleton = read.skeleton(kind, country, id.as_ref(), name.as_deref());
        let lat = read.value(Field::Lat, number);
        let lon = read.value(Field::Lon, number);
        let population = read.value(Field::Population, count);
        let approximate = read.value(Field::Approximate, boolean);
        let admin_given = [
            (Field::Region, read.text(Field::Region)),
            (Field::Departement, read.text(Field::Departement)),
            (Field::Admin1, read.text(Field::Admin1)),
            (Field::Admin1Name, read.text(Field::Admin1Name)),
        ];
        let contact = Contact {
            name: read.text(Field::ContactName),
            role: read.text(Field::ContactRole),
            email: read.text(Field::ContactEmail),
            phone: read.text(Field::ContactPhone),
            address: read.text(Field::ContactAddress),
            website: read.text(Field::ContactWebsite),
        };
        let themes = read.list(Field::Themes, weighted_theme);
        let offer = Intent {
            themes: read.list(Field::OfferThemes, theme),
            text: read.text(Field::OfferText),
        };
        let request = Intent {
            themes: read.list(Field::RequestThemes, theme),
            text: read.text(Field::RequestText),
        };
        let call_status = read.value(Field::CallStatus, call_status);
        let published = read.value(Field::CallPublished, date);
        let expires = read.value(Field::CallExpires, date);
        let alt_names = read.list(Field::AltNames, |item| Ok(item.to_owned()));
        let languages = read.list(Field::Languages, |item| {
            LanguageCode::parse(&item.to_ascii_lowercase())
        });
        let area_km2 = read.value(Field::AreaKm2, number);
        let activities = read.text(Field::Activities);
        let partnerships = read.value(Field::Partnerships, json).unwrap_or_default();
        let foreign_actors = read.value(Field::ForeignActors, json).unwrap_or_default();
        let mut provenance: BTreeMap<String, String> =
            read.value(Field::Provenance, json).unwrap_or_default();
        let updated_at = read.value(Field::UpdatedAt, |cell| Timestamp::parse(&text_of(cell)));

        let Read { problems, .. } = read;
        let missing = |problems: &mut Problems, field: Field, what: &str| {
            if !problems.has(field) {
                problems.add(layout, field, format!("manquant : {what}"));
            }
        };
        let skeleton = skeleton.flatten();
        let from = skeleton.as_ref();
        let id = id.or_else(|| from.map(|s| s.id.clone()));
        let country = country.or_else(|| from.map(|s| s.country));
        let kind = kind.or_else(|| from.map(|s| s.kind));
        let name = name.or_else(|| from.map(|s| s.name.clone()));
        let level = read_level(self, cells, problems)
            .or_else(|| from.map(|s| s.level))
            .or_else(|| kind.and_then(Kind::required_level));
        let location = match (lat, lon) {
            (Some(lat), Some(lon)) => Some(Location {
                lat,
                lon,
                approximate: approximate.unwrap_or(false),
            }),
            (None, None) => from.map(|s| Location {
                approximate: approximate.unwrap_or(s.location.approximate),
                ..s.location
            }),
            (Some(_), None) => {
                missing(problems, Field::Lon, "une latitude sans longitude");
                None
            }
            (None, Some(_)) => {
                missing(problems, Field::Lat, "une longitude sans latitude");
                None
            }
        };
        let identified = id.is_some();
        if !identified && problems.0.is_empty() {
            missing(
                problems,
                Field::Id,
                "pas d'identifiant : donnez une colonne id, un code INSEE ou un identifiant GeoNames",
            );
        }
        if country.is_none() && identified {
            missing(
                problems,
                Field::Country,
                "le pays (code ISO à deux lettres)",
            );
        }
        if kind.is_none() && identified {
            missing(problems, Field::Kind, "le type (commune, municipality…)");
        }
        if level.is_none() && kind.is_some() {
            missing(
                problems,
                Field::Level,
                "le niveau (local, intermediate, regional)",
            );
        }
        if name.is_none() && identified {
            missing(problems, Field::Name, "le nom");
        }
        if location.is_none() && identified && lat.is_none() && lon.is_none() {
            missing(
                problems,
                Field::Lat,
                "la position : colonnes lat et lon, ou un code INSEE / identifiant GeoNames pour la compléter",
            );
        }
        if !problems.0.is_empty() {
            return None;
        }
        let mut admin = from.and_then(|s| s.admin.clone()).unwrap_or_default();
        for (field, value) in admin_given {
            if let Some(value) = value {
                let slot = match field {
                    Field::Region => &mut admin.region,
                    Field::Departement => &mut admin.departement,
                    Field::Admin1 => &mut admin.admin1,
                    _ => &mut admin.admin1_name,
                };
                *slot = Some(value);
            }
        }
        let population = match population.or_else(|| from.map(|s| s.population)) {
            Some(population) => population,
            None => {
                provenance
                    .entry("population".to_owned())
                    .or_insert_with(|| "unknown".to_owned());
                0
            }
        };
        if let (Some(skeleton), Some(gazetteer)) = (from, self.gazetteer) {
            for (key, value) in &skeleton.provenance {
                provenance
                    .entry(key.clone())
                    .or_insert_with(|| value.clone());
            }
            provenance.insert(
                COMPLETION_KEY.to_owned(),
                completion_note(gazetteer.source()),
            );
        }
        let call = call_status.map(|status| Call {
            status,
            published,
            expires,
        });
        if call.is_none() && (published.is_some() || expires.is_some()) {
            problems.add(
                layout,
                Field::CallStatus,
                "manquant : le statut de l'appel (ouvert ou fermé) à côté de ses dates".into(),
            );
            return None;
        }
        Some(Fiche {
            id: id?,
            country: country?,
            kind: kind?,
            level: level?,
            name: name?,
            alt_names,
            admin: (admin != Admin::default()).then_some(admin),
            location: location?,
            population,
            area_km2,
            languages,
            contact: (contact != Contact::default()).then_some(contact),
            activities,
            themes,
            offer: offer.carries().then_some(offer),
            request: request.carries().then_some(request),
            partnerships,
            foreign_actors,
            call,
            updated_at,
            provenance,
        })
    }
}

fn read_level(reader: &RowReader<'_>, cells: &[Cell], problems: &mut Problems) -> Option<Level> {
    let cell = reader.cell(cells, Field::Level)?;
    match crate::input::level("level", &text_of(&cell)) {
        Ok(level) => Some(level),
        Err(error) => {
            problems.add(
                reader.layout,
                Field::Level,
                format!("{} : {}", cell.shown(), error.reason),
            );
            None
        }
    }
}

/// The cells of a row being read, and its problems.
struct Read<'r, 'c> {
    reader: &'r RowReader<'r>,
    cells: &'c [Cell],
    problems: &'r mut Problems,
}

impl Read<'_, '_> {
    /// A value parsed from the field's cell; its problem, if any, is recorded.
    fn value<T>(&mut self, field: Field, parse: impl Fn(&Cell) -> Result<T, String>) -> Option<T> {
        let cell = self.reader.cell(self.cells, field)?;
        match parse(&cell) {
            Ok(value) => Some(value),
            Err(reason) => {
                let shown = match field {
                    // Contact data is personal: never quoted.
                    Field::ContactName
                    | Field::ContactRole
                    | Field::ContactEmail
                    | Field::ContactPhone
                    | Field::ContactAddress
                    | Field::ContactWebsite => "(masqué)".to_owned(),
                    _ => cell.shown(),
                };
                self.problems
                    .add(self.reader.layout, field, format!("{shown} : {reason}"));
                None
            }
        }
    }

    /// A text cell as written (numbers as they read).
    fn text(&mut self, field: Field) -> Option<String> {
        self.value(field, |cell| Ok(text_of(cell)))
    }

    /// The items of a list cell, each parsed; problems name the item.
    fn list<T>(&mut self, field: Field, parse: impl Fn(&str) -> Result<T, String>) -> Vec<T> {
        let separator = self.reader.layout.separator.clone();
        self.value(field, |cell| {
            let text = text_of(cell);
            text.split('\n')
                .flat_map(|line| line.split(separator.as_str()))
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| {
                    parse(item).map_err(|reason| {
                        format!("élément {}: {reason}", crate::quote::quote(item))
                    })
                })
                .collect::<Result<Vec<T>, String>>()
        })
        .unwrap_or_default()
    }

    /// The identity from the gazetteer, when the row asks for completion: `None`
    /// when it does not, `Some(None)` when it asked and failed (a problem says why).
    fn skeleton(
        &mut self,
        kind: Option<Kind>,
        country: Option<CountryCode>,
        id: Option<&FicheId>,
        name: Option<&str>,
    ) -> Option<Option<Fiche>> {
        let layout = self.reader.layout;
        let has =
            |reader: &RowReader<'_>, cells: &[Cell], f: Field| reader.cell(cells, f).is_some();
        let located =
            has(self.reader, self.cells, Field::Lat) || has(self.reader, self.cells, Field::Lon);
        let insee = self.value(Field::Insee, |cell| Ok(code_of(cell)));
        let geonames = self.value(Field::Geonames, |cell| Ok(code_of(cell)));
        let (field, key) = if let Some(code) = insee {
            (
                Field::Insee,
                Key::Id(french_id(&code, kind).map_err(|e| (code, e))),
            )
        } else if let Some(code) = geonames {
            (Field::Geonames, Key::Geonames(code))
        } else if located {
            return None;
        } else if let Some(id) = id {
            (Field::Id, Key::Id(Ok(id.clone())))
        } else if let Some(name) = name
            && country.is_none_or(|c| c == CountryCode::FRANCE)
        {
            (Field::Name, Key::Name(name.to_owned()))
        } else {
            return None;
        };
        let Some(gazetteer) = self.reader.gazetteer else {
            self.problems.add(
                layout,
                field,
                "complétion impossible : aucune géographie n'est fournie à cette lecture".into(),
            );
            return Some(None);
        };
        let found = match key {
            Key::Id(Err((code, reason))) => {
                Err(format!("{} : {reason}", crate::quote::quote(&code)))
            }
            Key::Id(Ok(id)) => gazetteer.by_id(&id).ok_or_else(|| {
                format!(
                    "{} : aucune collectivité de la géographie embarquée n'a cet identifiant",
                    crate::quote::quote(id.as_str())
                )
            }),
            Key::Geonames(code) => gazetteer.by_geonames(&code).ok_or_else(|| {
                format!(
                    "{} : aucun lieu GeoNames de la géographie embarquée n'a cet identifiant",
                    crate::quote::quote(&code)
                )
            }),
            Key::Name(name) => self.by_name(gazetteer, &name),
        };
        match found {
            Ok(fiche) => Some(Some(fiche)),
            Err(message) => {
                self.problems.add(layout, field, message);
                Some(None)
            }
        }
    }

    /// A French collectivité by name, settled by the row's département when several
    /// have it.
    fn by_name(&mut self, gazetteer: &dyn Gazetteer, name: &str) -> Result<Fiche, String> {
        let mut found = gazetteer.french_by_name(name);
        if found.len() > 1 {
            let departement = self
                .reader
                .cell(self.cells, Field::Departement)
                .map(|c| code_of(&c));
            if let Some(departement) = departement {
                found.retain(|f| {
                    f.admin.as_ref().and_then(|a| a.departement.as_deref())
                        == Some(departement.as_str())
                });
            }
        }
        match found.len() {
            1 => Ok(found.pop().expect("one")),
            0 => Err(format!(
                "{} : aucune collectivité française de ce nom dans la géographie embarquée ; donnez son code INSEE",
                crate::quote::quote(name)
            )),
            n => {
                let candidates: Vec<String> = found
                    .iter()
                    .take(10)
                    .map(|f| {
                        let departement = f
                            .admin
                            .as_ref()
                            .and_then(|a| a.departement.as_deref())
                            .unwrap_or("?");
                        format!("{} ({departement}, {})", f.name, f.id)
                    })
                    .collect();
                Err(format!(
                    "{} désigne {n} collectivités ({}{}) : donnez le code INSEE ou une colonne département",
                    crate::quote::quote(name),
                    candidates.join(", "),
                    if n > 10 { ", …" } else { "" }
                ))
            }
        }
    }
}

enum Key {
    Id(Result<FicheId, (String, String)>),
    Geonames(String),
    Name(String),
}

/// A cell as text: text as written, an integral number without decimals, a date as
/// `YYYY-MM-DD`.
pub(super) fn text_of(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(text) => text.clone(),
        Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
        Cell::Number(n) => n.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Date(d) if d.time() == chrono::NaiveTime::MIN => d.date().to_string(),
        Cell::Date(d) => d.format("%Y-%m-%dT%H:%M:%S").to_string(),
        Cell::Error(e) => e.clone(),
    }
}

/// A code: trimmed text; a number cell holding an INSEE code loses its leading zero
/// (`1001` for `01001`), which is put back up to five digits.
fn code_of(cell: &Cell) -> String {
    match cell {
        Cell::Number(n) if n.fract() == 0.0 && (0.0..100_000.0).contains(n) => format!("{n:05.0}"),
        other => text_of(other).trim().to_owned(),
    }
}

fn number(cell: &Cell) -> Result<f64, String> {
    let value = match cell {
        Cell::Number(n) => *n,
        Cell::Text(text) => {
            let cleaned: String = text
                .trim()
                .replace([' ', '\u{a0}', '\u{202f}'], "")
                .replace(',', ".");
            cleaned
                .parse::<f64>()
                .map_err(|_| "n'est pas un nombre".to_owned())?
        }
        _ => return Err("n'est pas un nombre".into()),
    };
    if value.is_finite() {
        Ok(value)
    } else {
        Err("n'est pas un nombre fini".into())
    }
}

fn count(cell: &Cell) -> Result<u64, String> {
    let value = number(cell).map_err(|_| "n'est pas un nombre entier".to_owned())?;
    if value < 0.0 || value.fract() != 0.0 || value > 9e15 {
        return Err("doit être un nombre entier positif ou nul".into());
    }
    Ok(value as u64)
}

fn boolean(cell: &Cell) -> Result<bool, String> {
    match cell {
        Cell::Bool(b) => Ok(*b),
        Cell::Number(n) if *n == 0.0 || *n == 1.0 => Ok(*n == 1.0),
        other => match crate::text::fold(&text_of(other)).trim() {
            "oui" | "vrai" | "true" | "1" | "x" => Ok(true),
            "non" | "faux" | "false" | "0" => Ok(false),
            _ => Err("n'est pas oui ou non".into()),
        },
    }
}

fn date(cell: &Cell) -> Result<NaiveDate, String> {
    match cell {
        Cell::Date(d) => Ok(d.date()),
        Cell::Text(text) => {
            let text = text.trim();
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
                .map_err(|_| "n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA)".to_owned())
        }
        _ => Err("n'est pas une date".into()),
    }
}

fn parse_country(cell: &Cell) -> Result<CountryCode, String> {
    let text = text_of(cell);
    if let Some(code) = CountryCode::parse_user(&text) {
        return Ok(code);
    }
    let folded = crate::text::fold(&text);
    crate::reference::Countries::get()
        .all()
        .iter()
        .find(|c| crate::text::fold(&c.name_fr) == folded)
        .map(|c| c.code)
        .ok_or_else(|| "pays inconnu (code ISO à deux lettres, BJ, ou nom français, Bénin)".into())
}

fn parse_kind(cell: &Cell) -> Result<Kind, String> {
    let folded = crate::text::fold(&text_of(cell));
    let kind = match folded.trim() {
        "commune" => Kind::Commune,
        "epci" | "intercommunalite" => Kind::Epci,
        "departement" => Kind::Departement,
        "region" => Kind::Region,
        "municipality" | "municipalite" => Kind::Municipality,
        "district" => Kind::District,
        "province" => Kind::Province,
        "state" | "etat" => Kind::State,
        "other" | "autre" => Kind::Other,
        _ => {
            return Err(
                "type inconnu (commune, epci, departement, region, municipality, district, province, state, other)"
                    .into(),
            );
        }
    };
    Ok(kind)
}

fn call_status(cell: &Cell) -> Result<CallStatus, String> {
    match crate::text::fold(&text_of(cell)).trim() {
        "open" | "ouvert" | "ouverte" => Ok(CallStatus::Open),
        "closed" | "ferme" | "fermee" | "clos" | "close" => Ok(CallStatus::Closed),
        _ => Err("statut d'appel inconnu (ouvert ou fermé)".into()),
    }
}

fn theme(item: &str) -> Result<ThemeCode, String> {
    crate::input::theme("theme", item).map_err(|e| e.reason)
}

/// `code` or `label`, optionally `:weight` (1 when not said).
fn weighted_theme(item: &str) -> Result<WeightedTheme, String> {
    let (name, weight) = match item.rsplit_once(':') {
        Some((name, weight)) => {
            let weight = weight
                .trim()
                .replace(',', ".")
                .parse::<f64>()
                .map_err(|_| {
                    format!(
                        "poids {} : n'est pas un nombre",
                        crate::quote::quote(weight.trim())
                    )
                })?;
            (name, weight)
        }
        None => (item, 1.0),
    };
    Ok(WeightedTheme {
        code: theme(name.trim())?,
        weight,
    })
}

fn json<T: DeserializeOwned>(cell: &Cell) -> Result<T, String> {
    let text = text_of(cell);
    serde_json::from_str(&text).map_err(|e| {
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(head, _)| head);
        format!("JSON invalide : {}", crate::quote::quote(message))
    })
}
