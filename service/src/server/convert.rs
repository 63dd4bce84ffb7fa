//! Conversions between the protobuf messages and the engine's types. Fiches cross
//! through their JSON form, so a fiche received over gRPC is parsed and validated by
//! exactly the rules of a JSON Lines import (`jsonl::parse_fiche`), and its errors
//! name the same field paths.

use chrono::NaiveDate;
use passerelle_engine::fiche::{Fiche, FicheId, FieldError, Level, Side};
use passerelle_engine::jsonl::{self, LineError};
use passerelle_engine::lookup::NameHit;
use passerelle_engine::ranking::{CandidateFilters, Suggestion};
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_engine::scoring::{Breakdown, Weights};
use passerelle_engine::search::{MatchedField, SearchFilters, SearchHit, SearchPage, Snippet};
use passerelle_engine::store::{Decision, DecisionKind};
use passerelle_proto::v1 as pb;
use serde_json::{Map, Value, json};

/// A request field that is not acceptable: becomes INVALID_ARGUMENT naming the field.
pub fn invalid(field: &str, value: impl std::fmt::Display, reason: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        value: value.to_string(),
        reason: reason.to_owned(),
    }
}

// ---- fiches -----------------------------------------------------------------------

fn put_opt(map: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), Value::String(v.clone()));
    }
}

fn put_list(map: &mut Map<String, Value>, key: &str, values: &[String]) {
    if !values.is_empty() {
        map.insert(key.to_owned(), json!(values));
    }
}

fn intent_json(intent: &pb::Intent) -> Value {
    let mut map = Map::new();
    put_list(&mut map, "themes", &intent.themes);
    put_opt(&mut map, "text", &intent.text);
    Value::Object(map)
}

/// The JSON form (exchange format) of a fiche received over gRPC.
fn fiche_json(p: &pb::Fiche) -> Value {
    let mut m = Map::new();
    for (key, value) in [
        ("id", &p.id),
        ("country", &p.country),
        ("kind", &p.kind),
        ("level", &p.level),
        ("name", &p.name),
    ] {
        m.insert(key.to_owned(), Value::String(value.clone()));
    }
    put_list(&mut m, "alt_names", &p.alt_names);
    if let Some(admin) = &p.admin {
        let mut a = Map::new();
        put_opt(&mut a, "region", &admin.region);
        put_opt(&mut a, "departement", &admin.departement);
        put_opt(&mut a, "admin1", &admin.admin1);
        put_opt(&mut a, "admin1_name", &admin.admin1_name);
        m.insert("admin".into(), Value::Object(a));
    }
    if let Some(l) = &p.location {
        let mut loc = json!({ "lat": l.lat, "lon": l.lon });
        if l.approximate {
            loc["approximate"] = Value::Bool(true);
        }
        m.insert("location".into(), loc);
    }
    m.insert("population".into(), json!(p.population));
    if let Some(area) = p.area_km2 {
        m.insert("area_km2".into(), json!(area));
    }
    put_list(&mut m, "languages", &p.languages);
    if let Some(c) = &p.contact {
        let mut contact = Map::new();
        put_opt(&mut contact, "name", &c.name);
        put_opt(&mut contact, "role", &c.role);
        put_opt(&mut contact, "email", &c.email);
        put_opt(&mut contact, "phone", &c.phone);
        put_opt(&mut contact, "address", &c.address);
        put_opt(&mut contact, "website", &c.website);
        m.insert("contact".into(), Value::Object(contact));
    }
    put_opt(&mut m, "activities", &p.activities);
    if !p.themes.is_empty() {
        let themes: Vec<Value> = p
            .themes
            .iter()
            .map(|t| json!({ "code": t.code, "weight": t.weight }))
            .collect();
        m.insert("themes".into(), Value::Array(themes));
    }
    if let Some(offer) = &p.offer {
        m.insert("offer".into(), intent_json(offer));
    }
    if let Some(request) = &p.request {
        m.insert("request".into(), intent_json(request));
    }
    if !p.partnerships.is_empty() {
        let links = p.partnerships.iter().map(|l| {
            let mut o = Map::new();
            put_opt(&mut o, "partner_id", &l.partner_id);
            put_opt(&mut o, "partner_name", &l.partner_name);
            put_opt(&mut o, "country", &l.country);
            o.insert("kind".into(), Value::String(l.kind.clone()));
            if let Some(since) = l.since {
                o.insert("since".into(), json!(since));
            }
            put_list(&mut o, "themes", &l.themes);
            o.insert("active".into(), Value::Bool(l.active));
            Value::Object(o)
        });
        m.insert("partnerships".into(), Value::Array(links.collect()));
    }
    if !p.foreign_actors.is_empty() {
        let actors = p.foreign_actors.iter().map(|a| {
            let mut o = Map::new();
            o.insert("country".into(), Value::String(a.country.clone()));
            o.insert("kind".into(), Value::String(a.kind.clone()));
            put_opt(&mut o, "name", &a.name);
            Value::Object(o)
        });
        m.insert("foreign_actors".into(), Value::Array(actors.collect()));
    }
    if let Some(call) = &p.call {
        let mut o = Map::new();
        o.insert("status".into(), Value::String(call.status.clone()));
        put_opt(&mut o, "published", &call.published);
        put_opt(&mut o, "expires", &call.expires);
        m.insert("call".into(), Value::Object(o));
    }
    put_opt(&mut m, "updated_at", &p.updated_at);
    if !p.provenance.is_empty() {
        m.insert("provenance".into(), json!(p.provenance));
    }
    Value::Object(m)
}

/// Parses and validates a fiche received over gRPC, by the rules of the exchange
/// format.
pub fn fiche_from_proto(p: &pb::Fiche) -> Result<Fiche, LineError> {
    jsonl::parse_fiche(&fiche_json(p).to_string())
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn opt_s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

fn list_s(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn intent_proto(v: &Value) -> Option<pb::Intent> {
    v.is_object().then(|| pb::Intent {
        themes: list_s(&v["themes"]),
        text: opt_s(&v["text"]),
    })
}

/// A fiche on the wire; `with_contact` false removes the contact data.
pub fn fiche_to_proto(fiche: &Fiche, with_contact: bool) -> pb::Fiche {
    let v = serde_json::to_value(fiche).unwrap_or(Value::Null);
    let admin = &v["admin"];
    let contact = &v["contact"];
    let call = &v["call"];
    pb::Fiche {
        id: s(&v["id"]),
        country: s(&v["country"]),
        kind: s(&v["kind"]),
        level: s(&v["level"]),
        name: s(&v["name"]),
        alt_names: list_s(&v["alt_names"]),
        admin: admin.is_object().then(|| pb::Admin {
            region: opt_s(&admin["region"]),
            departement: opt_s(&admin["departement"]),
            admin1: opt_s(&admin["admin1"]),
            admin1_name: opt_s(&admin["admin1_name"]),
        }),
        location: Some(pb::Location {
            lat: fiche.location.lat,
            lon: fiche.location.lon,
            approximate: fiche.location.approximate,
        }),
        population: fiche.population,
        area_km2: fiche.area_km2,
        languages: list_s(&v["languages"]),
        contact: (with_contact && contact.is_object()).then(|| pb::Contact {
            name: opt_s(&contact["name"]),
            role: opt_s(&contact["role"]),
            email: opt_s(&contact["email"]),
            phone: opt_s(&contact["phone"]),
            address: opt_s(&contact["address"]),
            website: opt_s(&contact["website"]),
        }),
        activities: fiche.activities.clone(),
        themes: fiche
            .themes
            .iter()
            .map(|t| pb::WeightedTheme {
                code: t.code.as_str().to_owned(),
                weight: t.weight,
            })
            .collect(),
        offer: intent_proto(&v["offer"]),
        request: intent_proto(&v["request"]),
        partnerships: v["partnerships"]
            .as_array()
            .map(|links| {
                links
                    .iter()
                    .map(|l| pb::Partnership {
                        partner_id: opt_s(&l["partner_id"]),
                        partner_name: opt_s(&l["partner_name"]),
                        country: opt_s(&l["country"]),
                        kind: s(&l["kind"]),
                        since: l["since"].as_i64().map(|y| y as i32),
                        themes: list_s(&l["themes"]),
                        active: l["active"].as_bool().unwrap_or(false),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        foreign_actors: v["foreign_actors"]
            .as_array()
            .map(|actors| {
                actors
                    .iter()
                    .map(|a| pb::ForeignActor {
                        country: s(&a["country"]),
                        kind: s(&a["kind"]),
                        name: opt_s(&a["name"]),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        call: call.is_object().then(|| pb::Call {
            status: s(&call["status"]),
            published: opt_s(&call["published"]),
            expires: opt_s(&call["expires"]),
        }),
        updated_at: opt_s(&v["updated_at"]),
        provenance: fiche.provenance.clone().into_iter().collect(),
    }
}

// ---- request fields ----------------------------------------------------------------

pub fn fiche_id(field: &str, id: &str) -> Result<FicheId, FieldError> {
    FicheId::parse(id.trim()).map_err(|reason| invalid(field, format!("{id:?}"), &reason))
}

pub fn country(field: &str, code: &Option<String>) -> Result<Option<CountryCode>, FieldError> {
    code.as_deref()
        .map(|c| {
            CountryCode::parse(c.trim())
                .ok_or_else(|| invalid(field, format!("{c:?}"), "unknown ISO 3166-1 alpha-2 code"))
        })
        .transpose()
}

pub fn level(field: &str, level: &Option<String>) -> Result<Option<Level>, FieldError> {
    level
        .as_deref()
        .map(|l| {
            Level::parse(l.trim()).ok_or_else(|| {
                invalid(
                    field,
                    format!("{l:?}"),
                    "must be local, intermediate or regional",
                )
            })
        })
        .transpose()
}

pub fn theme(field: &str, theme: &Option<String>) -> Result<Option<ThemeCode>, FieldError> {
    theme
        .as_deref()
        .map(|t| {
            ThemeCode::parse(t.trim()).ok_or_else(|| {
                invalid(
                    field,
                    format!("{t:?}"),
                    "unknown theme code (see themes.csv)",
                )
            })
        })
        .transpose()
}

fn side(field: &str, side: &Option<String>) -> Result<Option<Side>, FieldError> {
    side.as_deref()
        .map(|s| match s.trim() {
            "french" => Ok(Side::French),
            "foreign" => Ok(Side::Foreign),
            other => Err(invalid(
                field,
                format!("{other:?}"),
                "must be french or foreign",
            )),
        })
        .transpose()
}

fn date(field: &str, date: &Option<String>) -> Result<Option<NaiveDate>, FieldError> {
    date.as_deref()
        .map(|d| {
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|_| invalid(field, format!("{d:?}"), "must be an ISO 8601 date"))
        })
        .transpose()
}

pub fn search_filters(f: Option<&pb::SearchFilters>) -> Result<SearchFilters, FieldError> {
    let Some(f) = f else {
        return Ok(SearchFilters::default());
    };
    Ok(SearchFilters {
        country: country("filters.country", &f.country)?,
        admin1: f.admin1.clone(),
        level: level("filters.level", &f.level)?,
        theme: theme("filters.theme", &f.theme)?,
        side: side("filters.side", &f.side)?,
        open_on: date("filters.open_on", &f.open_on)?,
        min_population: f.min_population,
        max_population: f.max_population,
    })
}

pub fn candidate_filters(f: Option<&pb::CandidateFilters>) -> Result<CandidateFilters, FieldError> {
    let Some(f) = f else {
        return Ok(CandidateFilters::default());
    };
    Ok(CandidateFilters {
        country: country("filters.country", &f.country)?,
        level: level("filters.level", &f.level)?,
        theme: theme("filters.theme", &f.theme)?,
        min_population: f.min_population,
        max_population: f.max_population,
    })
}

pub fn weights(w: Option<&pb::Weights>) -> Result<Weights, FieldError> {
    let mut weights = Weights::default();
    if let Some(w) = w {
        weights.thematic = w.thematic.unwrap_or(weights.thematic);
        weights.geography = w.geography.unwrap_or(weights.geography);
        weights.size = w.size.unwrap_or(weights.size);
        weights.underserved = w.underserved.unwrap_or(weights.underserved);
    }
    weights.validate()?;
    Ok(weights)
}

pub fn decision_kind(kind: i32) -> Result<DecisionKind, FieldError> {
    match pb::DecisionKind::try_from(kind) {
        Ok(pb::DecisionKind::Accept) => Ok(DecisionKind::Accept),
        Ok(pb::DecisionKind::Reject) => Ok(DecisionKind::Reject),
        Ok(pb::DecisionKind::Shortlist) => Ok(DecisionKind::Shortlist),
        Ok(pb::DecisionKind::Contacted) => Ok(DecisionKind::Contacted),
        Ok(pb::DecisionKind::Unspecified) | Err(_) => Err(invalid(
            "kind",
            kind,
            "must be ACCEPT, REJECT, SHORTLIST or CONTACTED",
        )),
    }
}

// ---- responses ---------------------------------------------------------------------

pub fn breakdown(b: &Breakdown, weights: &Weights) -> pb::Breakdown {
    let criterion = serde_json::to_value(b.criterion).unwrap_or(Value::Null);
    pb::Breakdown {
        criterion: s(&criterion),
        score: b.score,
        weight: b.criterion.weight(weights),
        reasons: b.reasons.clone(),
    }
}

pub fn suggestion(s: &Suggestion, weights: &Weights) -> pb::Suggestion {
    pb::Suggestion {
        id: s.id.as_str().to_owned(),
        name: s.name.clone(),
        country: s.country.as_str().to_owned(),
        total: s.total,
        breakdown: s.breakdown.iter().map(|b| breakdown(b, weights)).collect(),
    }
}

pub fn search_page(page: &SearchPage) -> pb::SearchFichesResponse {
    pb::SearchFichesResponse {
        hits: page.hits.iter().map(search_hit).collect(),
        total_hits: page.total as u64,
    }
}

pub fn search_hit(h: &SearchHit) -> pb::SearchHit {
    pb::SearchHit {
        id: h.id.as_str().to_owned(),
        name: h.name.clone(),
        country: h.country.as_str().to_owned(),
        score: h.score,
        snippet: h.snippet.as_ref().map(snippet),
    }
}

/// Highlights go from UTF-8 byte offsets (engine) to Unicode scalar offsets (proto).
fn snippet(s: &Snippet) -> pb::Snippet {
    let scalars = |byte: usize| s.text[..byte].chars().count() as u32;
    pb::Snippet {
        field: matched_field(s.field) as i32,
        text: s.text.clone(),
        highlights: s
            .highlights
            .iter()
            .map(|r| pb::TextRange {
                start: scalars(r.start),
                end: scalars(r.end),
            })
            .collect(),
    }
}

fn matched_field(field: MatchedField) -> pb::MatchedField {
    match field {
        MatchedField::Name => pb::MatchedField::Name,
        MatchedField::Request => pb::MatchedField::Request,
        MatchedField::Offer => pb::MatchedField::Offer,
        MatchedField::Activities => pb::MatchedField::Activities,
        MatchedField::Themes => pb::MatchedField::Themes,
    }
}

pub fn name_hit(h: &NameHit) -> pb::NameHit {
    pb::NameHit {
        id: h.id.as_str().to_owned(),
        name: h.name.clone(),
        matched: h.matched.clone(),
        country: h.country.as_str().to_owned(),
        admin: h.admin.clone(),
        score: h.score,
    }
}

pub fn decision(d: &Decision) -> pb::Decision {
    let kind = match d.kind {
        DecisionKind::Accept => pb::DecisionKind::Accept,
        DecisionKind::Reject => pb::DecisionKind::Reject,
        DecisionKind::Shortlist => pb::DecisionKind::Shortlist,
        DecisionKind::Contacted => pb::DecisionKind::Contacted,
    };
    pb::Decision {
        id: d.id,
        fiche_a: d.fiche_a.as_str().to_owned(),
        fiche_b: d.fiche_b.as_str().to_owned(),
        kind: kind as i32,
        note: d.note.clone(),
        reviewer: d.reviewer.clone(),
        at: d.at.clone(),
    }
}
