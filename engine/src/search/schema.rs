//! The index schema and how a fiche becomes a document.

use chrono::{Datelike, NaiveDate};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{TantivyDocument, Term};

use super::stored::{Part, Record};
use crate::fiche::{CallStatus, Fiche, Level, Side};
use crate::reference::{LANGUAGES, Language, Themes};
use crate::text;
use crate::themes_from_text::inferred_theme_bits;

/// `open_until` of a fiche whose call is closed or missing.
pub const NO_OPEN_CALL: i64 = -1;
/// `open_until` of an open call without expiry.
pub const NO_EXPIRY: i64 = i64::MAX;

/// The fields of the index.
///
/// Every exact value a query matches (country, région, level, side, themes, whole
/// names) is a term of one field, [`Fields::keys`], as `kind:value`: each field with
/// terms costs a commit a term dictionary (about 1 MB set up for one fiche), and a
/// write commits one fiche. Numbers are fast columns only (range filters read them).
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Indexed (deletes go by id) and a fast column: the order of equal scores is
    /// the order of ids.
    pub id: Field,
    pub name: Field,
    pub alt_names: Field,
    /// Activities, offer and request texts, in the field of the fiche's language.
    pub text: [Field; LANGUAGES],
    /// `kind:value` terms, see [`Key`].
    pub keys: Field,
    /// Stored only: what a hit shows (id, name, country, texts…) as one record, see
    /// [`super::stored`].
    pub shown: Field,
    /// Days since 0001-01-01 of the call's expiry; [`NO_OPEN_CALL`], [`NO_EXPIRY`].
    pub open_until: Field,
    pub population: Field,
    /// ln(1 + population): what orders equal scores (see `collector`), computed once.
    pub prior: Field,
}

/// The kinds of exact values in [`Fields::keys`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Country,
    /// The région of a French fiche, the admin1 of a foreign one.
    Admin1,
    Level,
    Side,
    /// A declared theme (profile, offer, request): the `theme` filter.
    Theme,
    /// A declared or inferred theme (from the texts, `themes_from_text`): what a
    /// query's themes are matched against.
    AnyTheme,
    /// The whole name or an alternative name, folded: a query naming the place
    /// exactly finds it first.
    Name,
}

impl Key {
    fn prefix(self) -> &'static str {
        match self {
            Key::Country => "country",
            Key::Admin1 => "admin1",
            Key::Level => "level",
            Key::Side => "side",
            Key::Theme => "theme",
            Key::AnyTheme => "any_theme",
            Key::Name => "name",
        }
    }

    /// The term of `value` for this kind.
    pub fn term(self, fields: &Fields, value: &str) -> Term {
        Term::from_field_text(fields.keys, &self.text(value))
    }

    fn text(self, value: &str) -> String {
        let mut text = String::new();
        self.write(value, &mut text);
        text
    }

    fn write(self, value: &str, out: &mut String) {
        out.push_str(self.prefix());
        out.push(':');
        out.push_str(value);
    }
}

/// Documents only, no frequencies nor field norms: a word scores by where it is found
/// and its rarity (`relevance.rs`), never by how often, so what the index would
/// record for BM25 only made it larger and slower to build and to read.
fn text_options(analyzer: &str) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(analyzer)
        .set_index_option(IndexRecordOption::Basic)
        .set_fieldnorms(false);
    TextOptions::default().set_indexing_options(indexing)
}

impl Fields {
    pub fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let fields = Fields {
            id: b.add_text_field("id", STRING | FAST),
            name: b.add_text_field("name", text_options(text::FOLDED)),
            alt_names: b.add_text_field("alt_names", text_options(text::FOLDED)),
            text: Language::ALL.map(|language| {
                let field = format!("text_{}", language.code());
                b.add_text_field(&field, text_options(text::STEMS))
            }),
            keys: b.add_text_field("keys", STRING),
            shown: b.add_text_field("shown", STORED),
            open_until: b.add_i64_field("open_until", FAST),
            population: b.add_u64_field("population", FAST),
            prior: b.add_f64_field("prior", FAST),
        };
        (b.build(), fields)
    }

    /// Resolves the fields of an opened index (`None` if its schema is not ours).
    pub fn from_schema(schema: &Schema) -> Option<Fields> {
        let f = |name: &str| schema.get_field(name).ok();
        Some(Fields {
            id: f("id")?,
            name: f("name")?,
            alt_names: f("alt_names")?,
            text: [
                f("text_fr")?,
                f("text_en")?,
                f("text_es")?,
                f("text_pt")?,
                f("text_ar")?,
            ],
            keys: f("keys")?,
            shown: f("shown")?,
            open_until: f("open_until")?,
            population: f("population")?,
            prior: f("prior")?,
        })
    }

    /// The document of `fiche`.
    pub fn document<'f>(&self, fiche: &'f Fiche) -> TantivyDocument {
        let offer_text = fiche.offer.as_ref().and_then(|i| i.text.as_deref());
        let request_text = fiche.request.as_ref().and_then(|i| i.text.as_deref());
        let texts = [fiche.activities.as_deref(), offer_text, request_text];
        let text_bytes: usize = texts.iter().flatten().map(|t| t.len()).sum();
        let name_bytes: usize =
            fiche.alt_names.iter().map(String::len).sum::<usize>() + fiche.name.len();
        // Sized once: the document holds the names twice (keys, record) and a third
        // time (name fields), the texts twice (record, stems); growing it copied it
        // several times over, into memory not in any cache yet.
        let mut shown = Record::with_capacity(name_bytes + text_bytes + 128);
        let mut doc = TantivyDocument::with_capacity(3 * name_bytes + 2 * text_bytes + 512);
        // Each key is written in one buffer, which the document copies.
        let mut buffer = String::new();
        let mut key = |kind: Key, value: &str| {
            buffer.clear();
            kind.write(value, &mut buffer);
            doc.add_text(self.keys, &buffer);
        };
        key(Key::Name, &text::fold(&fiche.name));
        for alt in &fiche.alt_names {
            key(Key::Name, &text::fold(alt));
        }
        key(Key::Country, fiche.country.as_str());
        if let Some(admin1) = admin1(fiche) {
            key(Key::Admin1, admin1);
        }
        key(Key::Level, fiche.level.as_str());
        key(Key::Side, side_str(fiche.side()));
        let language = text::fiche_language(fiche);
        // Each text is analysed once, for theme inference and for the index, which is
        // given its stems (see `text::STEMS`): analysing texts was a third of a build's
        // work, and it was done twice.
        let analysed =
            |value: Option<&'f str>| value.map(|v| (v, text::analyse_joined(v, language)));
        let [activities, offer, request] = texts.map(analysed);
        fn stems<'a>(part: &'a Option<(&str, String)>) -> impl Iterator<Item = &'a str> {
            part.iter()
                .flat_map(|(_, joined)| joined.split_terminator(' '))
        }
        let declared =
            fiche.profile_theme_bits() | fiche.offer_theme_bits() | fiche.request_theme_bits();
        // The themes `effective_offer_themes` (offer text and activities, read as one
        // text) and `effective_request_themes` infer: a text's tokens are those of its
        // parts, one after the other (tested in `text`).
        let offer_words: Vec<&str> = stems(&offer).chain(stems(&activities)).collect();
        let request_words: Vec<&str> = stems(&request).collect();
        let all = declared
            | inferred_theme_bits(&offer_words, language)
            | inferred_theme_bits(&request_words, language);
        shown.push(Part::Id, fiche.id.as_str());
        shown.push(Part::Name, &fiche.name);
        shown.push(Part::Country, fiche.country.as_str());
        shown.push(Part::Language, language.code());
        for alt in &fiche.alt_names {
            shown.push(Part::AltName, alt);
        }
        for (code, info) in Themes::get().all() {
            if declared & code.bit() != 0 {
                key(Key::Theme, &info.code);
            }
            if all & code.bit() != 0 {
                key(Key::AnyTheme, &info.code);
                shown.push(Part::Theme, &info.code);
            }
        }
        doc.add_text(self.id, fiche.id.as_str());
        doc.add_text(self.name, &fiche.name);
        for alt in &fiche.alt_names {
            doc.add_text(self.alt_names, alt);
        }
        // Each text's stems, as analysed: the field records documents only (no
        // frequencies, no positions), so a stem repeated costs a lookup, no more.
        for (_, joined) in [&offer, &request, &activities].into_iter().flatten() {
            doc.add_text(self.text[language.index()], joined);
        }
        let texts = [
            (Part::Request, &request),
            (Part::Offer, &offer),
            (Part::Activities, &activities),
        ];
        for (part, value) in texts {
            if let Some((value, _)) = value {
                shown.push(part, value);
            }
        }
        doc.add_text(self.shown, shown.into_text());
        doc.add_i64(self.open_until, open_until(fiche));
        doc.add_u64(self.population, fiche.population);
        doc.add_f64(self.prior, prior(fiche.population));
        doc
    }
}

/// What a fiche's population weighs in the order of equal scores.
pub fn prior(population: u64) -> f64 {
    (1.0 + population as f64).ln()
}

/// The région of a French fiche, the admin1 of a foreign one.
pub fn admin1(fiche: &Fiche) -> Option<&str> {
    let admin = fiche.admin.as_ref()?;
    match fiche.side() {
        Side::French => admin.region.as_deref(),
        Side::Foreign => admin.admin1.as_deref(),
    }
}

pub fn side_str(side: Side) -> &'static str {
    match side {
        Side::French => "french",
        Side::Foreign => "foreign",
    }
}

pub fn level_str(level: Level) -> &'static str {
    level.as_str()
}

/// The day number used by `open_until`.
pub fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

pub fn open_until(fiche: &Fiche) -> i64 {
    match fiche.call {
        Some(call) if call.status == CallStatus::Open => call.expires.map_or(NO_EXPIRY, day_number),
        _ => NO_OPEN_CALL,
    }
}
