//! Every string of a request is bounded before any work is done on it.
//!
//! Each request message implements [`Bounded`]: its texts are measured (counting stops
//! one character past the bound, so a 10 MB text costs what a short one does) and
//! searched for control characters (none in a name, an id or a code; line breaks
//! and tabs only in a note or a search), its lists counted, and the first field out
//! of bounds is refused with INVALID_ARGUMENT
//! naming the field and quoting at most a prefix of the value. Handlers call
//! [`check`] first, after the caller's role and before any conversion, lookup or
//! lock; the conversions then check the values' meaning.
//!
//! Fiches are not measured here: the exchange format bounds each of their fields
//! (`Fiche::validate`), the message size bounds the whole.

use passerelle_engine::fiche::{FieldError, MAX_ID_LEN, MAX_NAME_CHARS};
use passerelle_engine::input::text_at_most;
use passerelle_proto::v1 as pb;
use tonic::Status;

use super::status;

/// Longest code (country, level, theme, side, région, admin1, date).
pub const MAX_CODE_CHARS: usize = 64;
/// Longest free-text search, in bytes (the search engine's own bound).
pub const MAX_QUERY_BYTES: usize = passerelle_engine::search::MAX_QUERY_BYTES;
/// Longest page token (an offset).
pub const MAX_PAGE_TOKEN_CHARS: usize = 20;
/// Longest decision note.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Longest reviewer name.
pub const MAX_REVIEWER_CHARS: usize = 200;
/// Longest batch scope (`ids:` lists included).
pub const MAX_SCOPE_CHARS: usize = 100_000;
/// Most names (entries that are not ids) one batch spec may give: each is resolved
/// by fuzzy lookup while the name table is read, which writes wait for.
pub const MAX_SPEC_NAMES: usize = 100;
/// Most exclusions (fiches and pairs) of one batch spec.
pub const MAX_EXCLUSIONS: usize = passerelle_engine::batch::MAX_EXCLUSIONS;
/// Most agenda slots of one batch spec.
pub const MAX_SLOTS: usize = passerelle_engine::batch::MAX_SLOTS;
/// Longest slot label (the engine's rule: 1 to 100 characters).
pub const MAX_SLOT_LABEL_CHARS: usize = 100;

/// A request whose strings and lists can be measured.
pub trait Bounded {
    /// The first field over its bound.
    fn bounds(&self) -> Result<(), FieldError>;
}

/// INVALID_ARGUMENT naming the first field of `request` over its bound.
pub fn check(request: &impl Bounded) -> Result<(), Status> {
    request.bounds().map_err(|e| status::invalid_field(&e))
}

/// A single-line text: at most `max` characters, no control character (they have
/// no place in a name, an id or a code, and would reach logs and terminals).
fn text(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    free_text(field, value, max)?;
    match value.chars().any(char::is_control) {
        true => Err(FieldError::new(
            field,
            value,
            "caractère de contrôle interdit",
        )),
        false => Ok(()),
    }
}

/// A text that may hold line breaks and tabs (a note, a search): at most `max`
/// characters, no other control character.
fn free_text(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    text_at_most(field, value, max)?;
    let control = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
    match value.chars().any(control) {
        true => Err(FieldError::new(
            field,
            value,
            "caractère de contrôle interdit",
        )),
        false => Ok(()),
    }
}

fn optional(field: &str, value: &Option<String>, max: usize) -> Result<(), FieldError> {
    value.as_deref().map_or(Ok(()), |v| text(field, v, max))
}

fn count(field: &str, len: usize, max: usize) -> Result<(), FieldError> {
    match len > max {
        true => Err(FieldError::value(
            field,
            len,
            format!("{max} éléments au plus"),
        )),
        false => Ok(()),
    }
}

fn id(field: &str, value: &str) -> Result<(), FieldError> {
    text(field, value, MAX_ID_LEN)
}

fn fiche_ref(field: &str, r: &Option<pb::FicheRef>) -> Result<(), FieldError> {
    let Some(r) = r else { return Ok(()) };
    optional(&format!("{field}.country"), &r.country, MAX_CODE_CHARS)?;
    match &r.r#ref {
        Some(pb::fiche_ref::Ref::Id(value)) => id(&format!("{field}.id"), value),
        Some(pb::fiche_ref::Ref::Name(value)) => {
            text(&format!("{field}.name"), value, MAX_NAME_CHARS)
        }
        None => Ok(()),
    }
}

fn candidate_filters(f: &Option<pb::CandidateFilters>) -> Result<(), FieldError> {
    let Some(f) = f else { return Ok(()) };
    optional("filters.country", &f.country, MAX_CODE_CHARS)?;
    optional("filters.level", &f.level, MAX_CODE_CHARS)?;
    optional("filters.theme", &f.theme, MAX_CODE_CHARS)
}

impl Bounded for pb::UpsertFichesRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        count("fiches", self.fiches.len(), super::fiche_service::MAX_BATCH)?;
        // Ids first: write permissions are checked on them before a fiche is read.
        for (i, fiche) in self.fiches.iter().enumerate() {
            id(&format!("fiches[{i}].id"), &fiche.id)?;
        }
        Ok(())
    }
}

impl Bounded for pb::GetFicheRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        id("id", &self.id)
    }
}

impl Bounded for pb::DeleteFicheRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        id("id", &self.id)
    }
}

impl Bounded for pb::SearchFichesRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        // Fewer characters than bytes: the byte bound decides.
        free_text("text", &self.text, MAX_QUERY_BYTES)?;
        if self.text.len() > MAX_QUERY_BYTES {
            return Err(FieldError::new(
                "text",
                &self.text,
                format!("{MAX_QUERY_BYTES} octets au plus"),
            ));
        }
        let Some(f) = &self.filters else {
            return Ok(());
        };
        for (field, value) in [
            ("filters.country", &f.country),
            ("filters.admin1", &f.admin1),
            ("filters.level", &f.level),
            ("filters.theme", &f.theme),
            ("filters.side", &f.side),
            ("filters.open_on", &f.open_on),
        ] {
            optional(field, value, MAX_CODE_CHARS)?;
        }
        Ok(())
    }
}

impl Bounded for pb::LookupByNameRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        text("name", &self.name, MAX_NAME_CHARS)?;
        optional("country", &self.country, MAX_CODE_CHARS)
    }
}

impl Bounded for pb::SuggestRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        fiche_ref("fiche", &self.fiche)?;
        candidate_filters(&self.filters)
    }
}

impl Bounded for pb::ExplainPairRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        fiche_ref("a", &self.a)?;
        fiche_ref("b", &self.b)
    }
}

impl Bounded for pb::RecordDecisionRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        id("fiche_a", &self.fiche_a)?;
        id("fiche_b", &self.fiche_b)?;
        free_text("note", &self.note, MAX_NOTE_CHARS)?;
        text("reviewer", &self.reviewer, MAX_REVIEWER_CHARS)
    }
}

impl Bounded for pb::ExpressInterestRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        id("fiche", &self.fiche)?;
        id("candidate", &self.candidate)?;
        free_text("note", &self.note, MAX_NOTE_CHARS)
    }
}

impl Bounded for pb::ListMutualInterestsRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        self.fiche_id
            .as_deref()
            .map_or(Ok(()), |f| id("fiche_id", f))
    }
}

impl Bounded for pb::ReconfirmFicheRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        id("fiche_id", &self.fiche_id)?;
        free_text("note", &self.note, MAX_NOTE_CHARS)
    }
}

impl Bounded for pb::ListDecisionsRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        id("fiche_id", &self.fiche_id)?;
        self.partner_id
            .as_deref()
            .map_or(Ok(()), |p| id("partner_id", p))
    }
}

impl Bounded for pb::ReviewQueueRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        optional("region", &self.region, MAX_CODE_CHARS)?;
        optional("country", &self.country, MAX_CODE_CHARS)?;
        optional("theme", &self.theme, MAX_CODE_CHARS)?;
        text("page_token", &self.page_token, MAX_PAGE_TOKEN_CHARS)
    }
}

/// Whether an entry of a spec (in `ids:`, `exclude`, `exclude_pairs`) is a name,
/// resolved by fuzzy lookup, rather than an id.
fn is_name(entry: &str) -> bool {
    passerelle_engine::fiche::FicheId::parse(entry.trim()).is_err()
}

/// A spec's member (`spec.exclude[3]`): a name's length, and names counted.
fn member(field: &str, value: &str, names: &mut usize) -> Result<(), FieldError> {
    text(field, value, MAX_NAME_CHARS)?;
    if is_name(value) {
        *names += 1;
    }
    Ok(())
}

fn scope(field: &str, value: &str, names: &mut usize) -> Result<(), FieldError> {
    text(field, value, MAX_SCOPE_CHARS)?;
    let Some(list) = value.trim().strip_prefix("ids:") else {
        return Ok(());
    };
    let entries = list.split(',').map(str::trim).filter(|e| !e.is_empty());
    for (i, entry) in entries.enumerate() {
        member(&format!("{field}[{i}]"), entry, names)?;
    }
    Ok(())
}

impl Bounded for pb::StartBatchRequest {
    fn bounds(&self) -> Result<(), FieldError> {
        let Some(spec) = &self.spec else {
            return Ok(());
        };
        let mut names = 0;
        scope("spec.french", &spec.french, &mut names)?;
        scope("spec.foreign", &spec.foreign, &mut names)?;
        count(
            "spec.exclude",
            spec.exclude.len() + spec.exclude_pairs.len(),
            MAX_EXCLUSIONS,
        )?;
        for (i, entry) in spec.exclude.iter().enumerate() {
            member(&format!("spec.exclude[{i}]"), entry, &mut names)?;
        }
        for (i, pair) in spec.exclude_pairs.iter().enumerate() {
            let field = |side: &str| format!("spec.exclude_pairs[{i}].{side}");
            member(&field("french"), &pair.french, &mut names)?;
            member(&field("foreign"), &pair.foreign, &mut names)?;
        }
        if names > MAX_SPEC_NAMES {
            return Err(FieldError::value(
                "spec",
                names,
                format!(
                    "{MAX_SPEC_NAMES} noms au plus par session (chacun est cherché par rapprochement orthographique) ; donnez les autres par identifiant"
                ),
            ));
        }
        if let Some(agenda) = &spec.agenda {
            count("spec.agenda.slots", agenda.slots.len(), MAX_SLOTS)?;
            for (i, slot) in agenda.slots.iter().enumerate() {
                let field = |part: &str| format!("spec.agenda.slots[{i}].{part}");
                text(&field("label"), &slot.label, MAX_SLOT_LABEL_CHARS)?;
                text(&field("start"), &slot.start, MAX_CODE_CHARS)?;
                text(&field("end"), &slot.end, MAX_CODE_CHARS)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(request: &impl Bounded) -> String {
        request.bounds().unwrap_err().field
    }

    #[test]
    fn long_strings_are_refused_naming_the_field_and_quoting_a_prefix() {
        let huge = "a".repeat(10_000_000);
        let get = pb::GetFicheRequest { id: huge.clone() };
        let error = get.bounds().unwrap_err();
        assert_eq!(error.field, "id");
        assert!(error.to_string().len() < 300, "{error}");
        let lookup = pb::LookupByNameRequest {
            name: "é".repeat(MAX_NAME_CHARS),
            ..Default::default()
        };
        assert!(
            lookup.bounds().is_ok(),
            "200 characters, whatever their bytes"
        );
        let lookup = pb::LookupByNameRequest {
            name: "é".repeat(MAX_NAME_CHARS + 1),
            ..Default::default()
        };
        assert_eq!(field_of(&lookup), "name");
        let suggest = pb::SuggestRequest {
            fiche: Some(pb::FicheRef {
                r#ref: Some(pb::fiche_ref::Ref::Id(huge.clone())),
                country: None,
            }),
            ..Default::default()
        };
        assert_eq!(field_of(&suggest), "fiche.id");
        let queue = pb::ReviewQueueRequest {
            page_token: "9".repeat(21),
            ..Default::default()
        };
        assert_eq!(field_of(&queue), "page_token");
    }

    #[test]
    fn a_spec_gives_a_bounded_number_of_names() {
        let spec = |exclude: Vec<String>| pb::StartBatchRequest {
            spec: Some(pb::BatchSpec {
                french: "ids:FR-COM-33063,Lyon".into(),
                foreign: "country:BJ".into(),
                exclude,
                ..Default::default()
            }),
        };
        let ids = (0..5000).map(|i| format!("FR-COM-{i}")).collect();
        assert!(spec(ids).bounds().is_ok(), "ids cost no lookup");
        let names = (0..MAX_SPEC_NAMES).map(|i| format!("Ville {i}")).collect();
        assert_eq!(field_of(&spec(names)), "spec", "one name in the scope too");
        let long = spec(vec!["x".repeat(MAX_NAME_CHARS + 1)]);
        assert_eq!(field_of(&long), "spec.exclude[0]");
        let scope = pb::StartBatchRequest {
            spec: Some(pb::BatchSpec {
                french: format!("ids:{}", "y".repeat(300)),
                ..Default::default()
            }),
        };
        assert_eq!(field_of(&scope), "spec.french[0]");
    }
}
