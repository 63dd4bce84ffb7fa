//! The index schema and how a fiche becomes a document.

use chrono::{Datelike, NaiveDate};
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

use crate::fiche::{CallStatus, Fiche, Level, Side};
use crate::reference::{Language, Themes};
use crate::text;
use crate::themes_from_text::{effective_offer_themes, effective_request_themes};

/// `open_until` of a fiche whose call is closed or missing.
pub const NO_OPEN_CALL: i64 = -1;
/// `open_until` of an open call without expiry.
pub const NO_EXPIRY: i64 = i64::MAX;

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Indexed (deletes go by id), stored, and a fast column: the order of equal
    /// scores is the order of ids.
    pub id: Field,
    pub name: Field,
    pub alt_names: Field,
    /// The whole name and each alternative name, folded, as single terms: a query
    /// naming the place exactly finds it first.
    pub name_key: Field,
    /// Activities, offer and request texts, in the field of the fiche's language.
    pub text: [Field; 4],
    /// Declared themes (profile, offer, request): the `theme` filter.
    pub themes: Field,
    /// Declared and inferred themes (from the texts, `themes_from_text`), stored:
    /// what a query's themes are matched against.
    pub all_themes: Field,
    /// Stored only: what snippets are cut from.
    pub offer: Field,
    pub request: Field,
    pub activities: Field,
    /// Stored only: the code of the language the texts are analysed in.
    pub language: Field,
    pub country: Field,
    pub admin1: Field,
    pub level: Field,
    pub kind: Field,
    pub side: Field,
    /// Days since 0001-01-01 of the call's expiry; [`NO_OPEN_CALL`], [`NO_EXPIRY`].
    pub open_until: Field,
    pub population: Field,
}

fn text_options(analyzer: &str, stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(analyzer)
        .set_index_option(IndexRecordOption::WithFreqs);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

impl Fields {
    pub fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let numeric = NumericOptions::default().set_indexed().set_fast();
        let fields = Fields {
            id: b.add_text_field("id", STRING | STORED | FAST),
            name: b.add_text_field("name", text_options(text::FOLDED, true)),
            alt_names: b.add_text_field("alt_names", text_options(text::FOLDED, true)),
            name_key: b.add_text_field("name_key", STRING),
            text: Language::ALL.map(|language| {
                let field = format!("text_{}", language.code());
                b.add_text_field(&field, text_options(text::analyzer_name(language), false))
            }),
            themes: b.add_text_field("themes", STRING),
            all_themes: b.add_text_field("all_themes", STRING | STORED),
            offer: b.add_text_field("offer", STORED),
            request: b.add_text_field("request", STORED),
            activities: b.add_text_field("activities", STORED),
            language: b.add_text_field("language", STORED),
            country: b.add_text_field("country", STRING | STORED),
            admin1: b.add_text_field("admin1", STRING),
            level: b.add_text_field("level", STRING),
            kind: b.add_text_field("kind", STRING),
            side: b.add_text_field("side", STRING),
            open_until: b.add_i64_field("open_until", numeric.clone()),
            population: b.add_u64_field("population", numeric),
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
            name_key: f("name_key")?,
            text: [f("text_fr")?, f("text_en")?, f("text_es")?, f("text_pt")?],
            themes: f("themes")?,
            all_themes: f("all_themes")?,
            offer: f("offer")?,
            request: f("request")?,
            activities: f("activities")?,
            language: f("language")?,
            country: f("country")?,
            admin1: f("admin1")?,
            level: f("level")?,
            kind: f("kind")?,
            side: f("side")?,
            open_until: f("open_until")?,
            population: f("population")?,
        })
    }

    /// The document of `fiche`.
    pub fn document(&self, fiche: &Fiche) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.id, fiche.id.as_str());
        doc.add_text(self.name, &fiche.name);
        doc.add_text(self.name_key, text::fold(&fiche.name));
        for alt in &fiche.alt_names {
            doc.add_text(self.alt_names, alt);
            doc.add_text(self.name_key, text::fold(alt));
        }
        let language = text::fiche_language(fiche);
        doc.add_text(self.language, language.code());
        let text_field = self.text[language.index()];
        let offer = fiche.offer.as_ref().and_then(|i| i.text.as_deref());
        let request = fiche.request.as_ref().and_then(|i| i.text.as_deref());
        let stored = [
            (self.activities, fiche.activities.as_deref()),
            (self.offer, offer),
            (self.request, request),
        ];
        for (field, value) in stored {
            if let Some(value) = value {
                doc.add_text(text_field, value);
                doc.add_text(field, value);
            }
        }
        let mut declared = fiche.profile_theme_bits() | fiche.offer_theme_bits();
        declared |= fiche.request_theme_bits();
        let mut all = declared;
        for theme in effective_offer_themes(fiche)
            .into_iter()
            .chain(effective_request_themes(fiche))
        {
            all |= theme.code.bit();
        }
        for (code, info) in Themes::get().all() {
            if declared & code.bit() != 0 {
                doc.add_text(self.themes, &info.code);
            }
            if all & code.bit() != 0 {
                doc.add_text(self.all_themes, &info.code);
            }
        }
        doc.add_text(self.country, fiche.country.as_str());
        if let Some(admin1) = admin1(fiche) {
            doc.add_text(self.admin1, admin1);
        }
        doc.add_text(self.level, fiche.level.as_str());
        doc.add_text(self.kind, fiche.kind.as_str());
        doc.add_text(self.side, side_str(fiche.side()));
        doc.add_i64(self.open_until, open_until(fiche));
        doc.add_u64(self.population, fiche.population);
        doc
    }
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

fn open_until(fiche: &Fiche) -> i64 {
    match fiche.call {
        Some(call) if call.status == CallStatus::Open => call.expires.map_or(NO_EXPIRY, day_number),
        _ => NO_OPEN_CALL,
    }
}
