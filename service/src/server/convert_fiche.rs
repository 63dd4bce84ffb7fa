//! Fiches between the wire and the engine, field by field and typed: each value is
//! parsed by its own type's parser (ids, country codes, kinds, themes, dates), then
//! the fiche is checked by the same rules as a JSON Lines import
//! ([`Fiche::validate`]), so errors name the same field paths
//! (`partnerships[2].country`, `location.lat`).

use std::collections::BTreeMap;

use passerelle_engine::fiche::{
    Admin, Call, Contact, Fiche, FicheId, ForeignActor, Intent, LanguageCode, Location,
    Partnership, Timestamp, WeightedTheme,
};
use passerelle_engine::jsonl::LineError;
use passerelle_engine::reference::{CountryCode, ThemeCode};
use passerelle_proto::v1 as pb;
use serde::Deserialize;
use serde::de::IntoDeserializer;
use serde::de::value::{Error as ValueError, StrDeserializer};

/// A wrong value of the field at `path`.
fn wrong(path: &str, value: &str, reason: impl std::fmt::Display) -> LineError {
    LineError {
        field: Some(path.to_owned()),
        message: format!("{} : {reason}", passerelle_engine::fiche::quote(value)),
    }
}

/// A value of one of the format's closed vocabularies (`kind`, `level`, call
/// status, partnership and actor kinds), read by the type's own deserializer.
fn word<T: for<'de> Deserialize<'de>>(path: &str, text: &str) -> Result<T, LineError> {
    let words: StrDeserializer<'_, ValueError> = text.into_deserializer();
    T::deserialize(words).map_err(|e| wrong(path, text, e))
}

fn country(path: &str, text: &str) -> Result<CountryCode, LineError> {
    CountryCode::parse(text).ok_or_else(|| {
        wrong(
            path,
            text,
            "code pays inconnu (ISO 3166-1 alpha-2, en majuscules)",
        )
    })
}

fn theme(path: &str, text: &str) -> Result<ThemeCode, LineError> {
    ThemeCode::parse(text).ok_or_else(|| {
        wrong(
            path,
            text,
            "code de thème inconnu (voir les 30 codes de themes.csv)",
        )
    })
}

fn themes(path: &str, codes: &[String]) -> Result<Vec<ThemeCode>, LineError> {
    codes
        .iter()
        .enumerate()
        .map(|(i, code)| theme(&format!("{path}[{i}]"), code))
        .collect()
}

fn date(path: &str, text: &str) -> Result<chrono::NaiveDate, LineError> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| wrong(path, text, "date ISO 8601 attendue (AAAA-MM-JJ)"))
}

fn fiche_id(path: &str, text: &str) -> Result<FicheId, LineError> {
    FicheId::parse(text).map_err(|reason| wrong(path, text, reason))
}

fn intent(path: &str, p: &Option<pb::Intent>) -> Result<Option<Intent>, LineError> {
    p.as_ref()
        .map(|p| {
            Ok(Intent {
                themes: themes(&format!("{path}.themes"), &p.themes)?,
                text: p.text.clone(),
            })
        })
        .transpose()
}

fn partnership(i: usize, p: &pb::Partnership) -> Result<Partnership, LineError> {
    let path = |field: &str| format!("partnerships[{i}].{field}");
    Ok(Partnership {
        partner_id: p
            .partner_id
            .as_deref()
            .map(|id| fiche_id(&path("partner_id"), id))
            .transpose()?,
        partner_name: p.partner_name.clone(),
        country: p
            .country
            .as_deref()
            .map(|c| country(&path("country"), c))
            .transpose()?,
        kind: word(&path("kind"), &p.kind)?,
        since: p.since,
        themes: themes(&path("themes"), &p.themes)?,
        active: p.active,
    })
}

fn actor(i: usize, a: &pb::ForeignActor) -> Result<ForeignActor, LineError> {
    let path = |field: &str| format!("foreign_actors[{i}].{field}");
    Ok(ForeignActor {
        country: country(&path("country"), &a.country)?,
        kind: word(&path("kind"), &a.kind)?,
        name: a.name.clone(),
    })
}

fn call(p: &pb::Call) -> Result<Call, LineError> {
    Ok(Call {
        status: word("call.status", &p.status)?,
        published: p
            .published
            .as_deref()
            .map(|d| date("call.published", d))
            .transpose()?,
        expires: p
            .expires
            .as_deref()
            .map(|d| date("call.expires", d))
            .transpose()?,
    })
}

/// Parses and validates a fiche received over gRPC, by the rules of the exchange
/// format.
pub fn fiche_from_proto(p: &pb::Fiche) -> Result<Fiche, LineError> {
    let location = p.location.as_ref().ok_or_else(|| LineError {
        field: Some("location".into()),
        message: "champ obligatoire".into(),
    })?;
    let fiche = Fiche {
        id: fiche_id("id", &p.id)?,
        country: country("country", &p.country)?,
        kind: word("kind", &p.kind)?,
        level: word("level", &p.level)?,
        name: p.name.clone(),
        alt_names: p.alt_names.clone(),
        admin: p.admin.as_ref().map(|a| Admin {
            region: a.region.clone(),
            departement: a.departement.clone(),
            admin1: a.admin1.clone(),
            admin1_name: a.admin1_name.clone(),
        }),
        location: Location {
            lat: location.lat,
            lon: location.lon,
            approximate: location.approximate,
        },
        population: p.population,
        area_km2: p.area_km2,
        languages: p
            .languages
            .iter()
            .enumerate()
            .map(|(i, code)| {
                LanguageCode::parse(code).map_err(|e| wrong(&format!("languages[{i}]"), code, e))
            })
            .collect::<Result<_, _>>()?,
        contact: p.contact.as_ref().map(|c| Contact {
            name: c.name.clone(),
            role: c.role.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            address: c.address.clone(),
            website: c.website.clone(),
        }),
        activities: p.activities.clone(),
        themes: p
            .themes
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Ok(WeightedTheme {
                    code: theme(&format!("themes[{i}].code"), &t.code)?,
                    weight: t.weight,
                })
            })
            .collect::<Result<_, LineError>>()?,
        offer: intent("offer", &p.offer)?,
        request: intent("request", &p.request)?,
        partnerships: p
            .partnerships
            .iter()
            .enumerate()
            .map(|(i, link)| partnership(i, link))
            .collect::<Result<_, _>>()?,
        foreign_actors: p
            .foreign_actors
            .iter()
            .enumerate()
            .map(|(i, a)| actor(i, a))
            .collect::<Result<_, _>>()?,
        call: p.call.as_ref().map(call).transpose()?,
        updated_at: p
            .updated_at
            .as_deref()
            .map(|t| Timestamp::parse(t).map_err(|e| wrong("updated_at", t, e)))
            .transpose()?,
        provenance: p.provenance.clone().into_iter().collect::<BTreeMap<_, _>>(),
    };
    fiche.validate().map_err(|error| LineError {
        message: format!("{} : {}", error.value, error.reason),
        field: Some(error.field),
    })?;
    Ok(fiche)
}

fn words<T: serde::Serialize>(value: &T) -> String {
    // The vocabularies serialize as plain words (`commune`, `jumelage`).
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn intent_proto(intent: &Option<Intent>) -> Option<pb::Intent> {
    intent.as_ref().map(|i| pb::Intent {
        themes: i.themes.iter().map(|t| t.as_str().to_owned()).collect(),
        text: i.text.clone(),
    })
}

/// A fiche on the wire; `with_contact` false removes the contact data.
pub fn fiche_to_proto(fiche: &Fiche, with_contact: bool) -> pb::Fiche {
    pb::Fiche {
        id: fiche.id.as_str().to_owned(),
        country: fiche.country.as_str().to_owned(),
        kind: fiche.kind.as_str().to_owned(),
        level: fiche.level.as_str().to_owned(),
        name: fiche.name.clone(),
        alt_names: fiche.alt_names.clone(),
        admin: fiche.admin.as_ref().map(|a| pb::Admin {
            region: a.region.clone(),
            departement: a.departement.clone(),
            admin1: a.admin1.clone(),
            admin1_name: a.admin1_name.clone(),
        }),
        location: Some(pb::Location {
            lat: fiche.location.lat,
            lon: fiche.location.lon,
            approximate: fiche.location.approximate,
        }),
        population: fiche.population,
        area_km2: fiche.area_km2,
        languages: fiche.languages.iter().map(|l| l.to_string()).collect(),
        contact: fiche
            .contact
            .as_ref()
            .filter(|_| with_contact)
            .map(|c| pb::Contact {
                name: c.name.clone(),
                role: c.role.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
                address: c.address.clone(),
                website: c.website.clone(),
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
        offer: intent_proto(&fiche.offer),
        request: intent_proto(&fiche.request),
        partnerships: fiche
            .partnerships
            .iter()
            .map(|l| pb::Partnership {
                partner_id: l.partner_id.as_ref().map(|id| id.as_str().to_owned()),
                partner_name: l.partner_name.clone(),
                country: l.country.map(|c| c.as_str().to_owned()),
                kind: words(&l.kind),
                since: l.since,
                themes: l.themes.iter().map(|t| t.as_str().to_owned()).collect(),
                active: l.active,
            })
            .collect(),
        foreign_actors: fiche
            .foreign_actors
            .iter()
            .map(|a| pb::ForeignActor {
                country: a.country.as_str().to_owned(),
                kind: words(&a.kind),
                name: a.name.clone(),
            })
            .collect(),
        call: fiche.call.map(|c| pb::Call {
            status: words(&c.status),
            published: c.published.map(|d| d.to_string()),
            expires: c.expires.map(|d| d.to_string()),
        }),
        updated_at: fiche.updated_at.as_ref().map(|t| t.as_str().to_owned()),
        provenance: fiche.provenance.clone().into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use passerelle_engine::fiche::{ActorKind, CallStatus, PartnershipKind};

    fn sample() -> Vec<Fiche> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../datasets/sample/sample.jsonl"
        );
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|line| passerelle_engine::jsonl::parse_fiche(line).unwrap())
            .collect()
    }

    fn text() -> impl Strategy<Value = String> {
        "[A-Za-zÀ-ÿ0-9 ,.'()\\-]{1,40}"
    }

    fn themes() -> impl Strategy<Value = Vec<ThemeCode>> {
        proptest::collection::btree_set(0usize..30, 0..5).prop_map(|set| {
            set.into_iter()
                .map(|i| ThemeCode::from_index(i).unwrap())
                .collect()
        })
    }

    fn intent() -> impl Strategy<Value = Option<Intent>> {
        proptest::option::of(
            (themes(), proptest::option::of(text()))
                .prop_map(|(themes, text)| Intent { themes, text }),
        )
    }

    fn date() -> impl Strategy<Value = chrono::NaiveDate> {
        (2020i32..2030, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    /// A fiche of the sample, every optional part varied.
    fn fiche() -> impl Strategy<Value = Fiche> {
        let base = proptest::sample::select(sample());
        let identity = (
            text(),
            proptest::collection::vec(text(), 0..3),
            0u64..10_000_000,
            proptest::option::of(0.0f64..100_000.0),
            (-90.0f64..90.0, -180.0f64..180.0, any::<bool>()),
        );
        let profile = (
            proptest::option::of(text()),
            proptest::collection::vec((0usize..30, 0.0f64..=1.0), 0..4),
            intent(),
            intent(),
        );
        let links = (
            proptest::collection::vec(
                (
                    proptest::option::of(text()),
                    proptest::option::of(proptest::sample::select(vec!["BJ", "SN", "DE"])),
                    proptest::sample::select(vec![
                        PartnershipKind::Jumelage,
                        PartnershipKind::Cooperation,
                        PartnershipKind::Other,
                    ]),
                    proptest::option::of(1950i32..2026),
                    themes(),
                    any::<bool>(),
                ),
                0..3,
            ),
            proptest::collection::vec(
                (
                    proptest::sample::select(vec!["MA", "ML", "VN"]),
                    proptest::sample::select(vec![
                        ActorKind::Diaspora,
                        ActorKind::Ngo,
                        ActorKind::University,
                    ]),
                    proptest::option::of(text()),
                ),
                0..3,
            ),
            proptest::option::of((any::<bool>(), proptest::option::of(date()), date())),
        );
        (base, identity, profile, links).prop_map(
            |(mut f, identity, profile, (partnerships, actors, call))| {
                let (name, alt_names, population, area, (lat, lon, approximate)) = identity;
                f.name = name;
                f.alt_names = alt_names;
                f.population = population;
                f.area_km2 = area;
                f.location = Location {
                    lat,
                    lon,
                    approximate,
                };
                let (activities, weighted, offer, request) = profile;
                f.activities = activities;
                let mut seen = std::collections::HashSet::new();
                f.themes = weighted
                    .into_iter()
                    .filter(|(i, _)| seen.insert(*i))
                    .map(|(i, weight)| WeightedTheme {
                        code: ThemeCode::from_index(i).unwrap(),
                        weight,
                    })
                    .collect();
                (f.offer, f.request) = (offer, request);
                f.partnerships = partnerships
                    .into_iter()
                    .map(|(name, country, kind, since, themes, active)| Partnership {
                        partner_id: None,
                        partner_name: name,
                        country: country.and_then(CountryCode::parse),
                        kind,
                        since,
                        themes,
                        active,
                    })
                    .collect();
                f.foreign_actors = actors
                    .into_iter()
                    .map(|(country, kind, name)| ForeignActor {
                        country: CountryCode::parse(country).unwrap(),
                        kind,
                        name,
                    })
                    .collect();
                f.call = call.map(|(open, published, expires)| Call {
                    status: if open {
                        CallStatus::Open
                    } else {
                        CallStatus::Closed
                    },
                    published,
                    expires: Some(expires),
                });
                f
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn a_fiche_crosses_the_wire_unchanged(fiche in fiche()) {
            prop_assume!(fiche.validate().is_ok());
            let back = fiche_from_proto(&fiche_to_proto(&fiche, true)).unwrap();
            prop_assert_eq!(&back, &fiche);
            let hidden = fiche_from_proto(&fiche_to_proto(&fiche, false)).unwrap();
            prop_assert_eq!(hidden.contact, None);
        }
    }

    #[test]
    fn every_sample_fiche_crosses_the_wire_unchanged() {
        for fiche in sample() {
            assert_eq!(
                fiche_from_proto(&fiche_to_proto(&fiche, true)).unwrap(),
                fiche
            );
        }
    }

    #[test]
    fn wrong_values_name_their_field() {
        let mut proto = fiche_to_proto(&sample()[0], true);
        proto.partnerships = vec![pb::Partnership {
            kind: "alliance".into(),
            ..Default::default()
        }];
        let error = fiche_from_proto(&proto).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("partnerships[0].kind"));
        proto.partnerships.clear();
        proto.offer = Some(pb::Intent {
            themes: vec!["plomberie".into()],
            text: None,
        });
        let error = fiche_from_proto(&proto).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("offer.themes[0]"));
        assert!(error.message.contains("themes.csv"), "{error:?}");
    }
}
