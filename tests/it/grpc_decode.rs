//! Property-based decoding: arbitrary bytes and arbitrary fiches, into every request
//! decoder of the API and on through the handlers, and into the JSON Lines reader.
//! Nothing may panic; a request the server cannot use is the client's fault
//! (never INTERNAL, UNKNOWN or DATA_LOSS) and its message stays short; a fiche the
//! server accepts is valid by the exchange format's rules and crosses JSON Lines
//! unchanged.

use std::sync::{Arc, OnceLock};

use passerelle::server::batch_service::BatchApi;
use passerelle::server::fiche_service::FicheApi;
use passerelle::server::interest_service::InterestApi;
use passerelle::server::match_service::MatchApi;
use passerelle::server::review_service::ReviewApi;
use passerelle::server::{
    Caller, Role, State, StateOptions, bounds, convert, convert_batch, status,
};
use passerelle_engine::jsonl;
use passerelle_proto::v1 as pb;
use pb::batch_service_server::BatchService;
use pb::fiche_service_server::FicheService;
use pb::interest_service_server::InterestService;
use pb::match_service_server::MatchService;
use pb::review_service_server::ReviewService;
use proptest::prelude::*;
use tonic::{Code, Request, Status};
use tonic_prost::prost::Message;

/// The handlers over one copy of the sample, and a runtime to run them on.
struct Handlers {
    runtime: tokio::runtime::Runtime,
    fiches: FicheApi,
    matches: MatchApi,
    reviews: ReviewApi,
    interests: InterestApi,
    batches: BatchApi,
    _dir: tempfile::TempDir,
    _stopping: tokio::sync::watch::Sender<bool>,
}

fn handlers() -> &'static Handlers {
    static HANDLERS: OnceLock<Handlers> = OnceLock::new();
    HANDLERS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        passerelle_tests::store_sample(dir.path());
        let options = StateOptions {
            today: Some("2026-09-01".parse().unwrap()),
            threads: 1,
            writer: None,
            ..StateOptions::default()
        };
        let state = Arc::new(State::load(dir.path(), &options).unwrap());
        let (stopping, stopped) = tokio::sync::watch::channel(false);
        Handlers {
            runtime: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap(),
            fiches: FicheApi {
                state: state.clone(),
            },
            matches: MatchApi {
                state: state.clone(),
            },
            reviews: ReviewApi {
                state: state.clone(),
            },
            interests: InterestApi {
                state: state.clone(),
            },
            batches: BatchApi {
                state,
                stopping: stopped,
            },
            _dir: dir,
            _stopping: stopping,
        }
    })
}

/// A request as the interceptor leaves it: an admin caller, who may call anything.
fn admin<T>(message: T) -> Request<T> {
    let mut request = Request::new(message);
    request.extensions_mut().insert(Caller {
        name: "proptest".into(),
        role: Role::Admin,
        fiches: Vec::new(),
    });
    request
}

/// The client's fault or success; never the server's, and never a long message.
fn answered<T>(what: &str, outcome: Result<T, Status>) -> Result<(), TestCaseError> {
    if let Err(status) = outcome {
        prop_assert!(
            !matches!(
                status.code(),
                Code::Internal | Code::Unknown | Code::DataLoss
            ),
            "{what}: {status:?}"
        );
        prop_assert!(status.message().len() <= 1700, "{what}: {status:?}");
    }
    Ok(())
}

/// Decodes `bytes` as a `T`; what decodes is handed to `handle`.
fn decoded<T: Message + Default>(
    bytes: &[u8],
    handle: impl FnOnce(T) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError> {
    match T::decode(bytes) {
        Ok(message) => handle(message),
        Err(_) => Ok(()),
    }
}

/// `bytes` as every request of the API, each decoded one through its handler.
fn every_request(bytes: &[u8]) -> Result<(), TestCaseError> {
    let h = handlers();
    decoded(bytes, |m: pb::GetFicheRequest| {
        answered("GetFiche", h.runtime.block_on(h.fiches.get_fiche(admin(m))))
    })?;
    decoded(bytes, |m: pb::DeleteFicheRequest| {
        answered(
            "DeleteFiche",
            h.runtime.block_on(h.fiches.delete_fiche(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::SearchFichesRequest| {
        answered(
            "SearchFiches",
            h.runtime.block_on(h.fiches.search_fiches(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::LookupByNameRequest| {
        answered(
            "LookupByName",
            h.runtime.block_on(h.fiches.lookup_by_name(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::UpsertFichesRequest| {
        answered(
            "UpsertFiches",
            h.runtime.block_on(h.fiches.upsert_fiches(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::SuggestRequest| {
        answered("Suggest", h.runtime.block_on(h.matches.suggest(admin(m))))
    })?;
    decoded(bytes, |m: pb::ExplainPairRequest| {
        answered(
            "ExplainPair",
            h.runtime.block_on(h.matches.explain_pair(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::RecordDecisionRequest| {
        answered(
            "RecordDecision",
            h.runtime.block_on(h.reviews.record_decision(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::ListDecisionsRequest| {
        answered(
            "ListDecisions",
            h.runtime.block_on(h.reviews.list_decisions(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::ExpressInterestRequest| {
        answered(
            "ExpressInterest",
            h.runtime.block_on(h.interests.express_interest(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::ListMutualInterestsRequest| {
        answered(
            "ListMutualInterests",
            h.runtime
                .block_on(h.interests.list_mutual_interests(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::ReconfirmFicheRequest| {
        answered(
            "ReconfirmFiche",
            h.runtime.block_on(h.fiches.reconfirm_fiche(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::ReviewQueueRequest| {
        answered(
            "ReviewQueue",
            h.runtime.block_on(h.reviews.review_queue(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::GetBatchRequest| {
        answered(
            "GetBatch",
            h.runtime.block_on(h.batches.get_batch(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::ListBatchesRequest| {
        answered(
            "ListBatches",
            h.runtime.block_on(h.batches.list_batches(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::CancelBatchRequest| {
        answered(
            "CancelBatch",
            h.runtime.block_on(h.batches.cancel_batch(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::WatchBatchRequest| {
        answered(
            "WatchBatch",
            h.runtime.block_on(h.batches.watch_batch(admin(m))),
        )
    })?;
    decoded(bytes, |m: pb::GetBatchResultsRequest| {
        answered(
            "GetBatchResults",
            h.runtime.block_on(h.batches.get_batch_results(admin(m))),
        )
    })?;
    // A spec that decodes is bounded and converted, not run: a batch run would
    // outlive the case.
    decoded(bytes, |m: pb::StartBatchRequest| {
        let checked = bounds::check(&m).and_then(|()| {
            let spec = convert_batch::spec(m.spec.as_ref(), Default::default());
            spec.map(|_| ()).map_err(|e| status::invalid_field(&e))
        });
        answered("StartBatch", checked)
    })
}

/// Text that is sometimes a word of the format's vocabularies and sometimes anything
/// at all (control characters, any script, empty).
fn word(words: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(words).prop_map(str::to_owned),
        proptest::string::string_regex("(?s).{0,24}").unwrap(),
    ]
}

fn maybe(words: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(word(words))
}

/// Any float, the awkward ones included.
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        -200.0f64..200.0,
        any::<f64>(),
    ]
}

const IDS: &[&str] = &[
    "FR-COM-13055",
    "BJ-COM-BJ-AK-BOU",
    "FR-COM-99999",
    "fr-com-1",
];
const COUNTRIES: &[&str] = &["FR", "BJ", "SN", "XX", "bj"];
const KINDS: &[&str] = &["commune", "municipality", "region", "epci", "other"];
const LEVELS: &[&str] = &["local", "intermediate", "regional"];
const THEMES: &[&str] = &["eau-assainissement", "jeunesse", "culture", "plomberie"];
const DATES: &[&str] = &["2026-03-01", "2027-02-30", "2026-13-01"];
const NAMES: &[&str] = &["Marseille", "Saint-Étienne", "Porto-Novo"];

fn intent() -> impl Strategy<Value = Option<pb::Intent>> {
    proptest::option::of(
        (proptest::collection::vec(word(THEMES), 0..3), maybe(NAMES))
            .prop_map(|(themes, text)| pb::Intent { themes, text }),
    )
}

/// A fiche on the wire, each field anything its type allows.
fn any_fiche() -> impl Strategy<Value = pb::Fiche> {
    let identity = (
        word(IDS),
        word(COUNTRIES),
        word(KINDS),
        word(LEVELS),
        word(NAMES),
        proptest::collection::vec(word(NAMES), 0..3),
        proptest::option::of((number(), number(), any::<bool>())),
        any::<u64>(),
        proptest::option::of(number()),
    );
    let profile = (
        proptest::collection::vec(word(&["fr", "en", "xx"]), 0..3),
        proptest::option::of((maybe(NAMES), maybe(&["a@b.fr"]))),
        maybe(NAMES),
        proptest::collection::vec((word(THEMES), number()), 0..4),
        intent(),
        intent(),
    );
    let links = (
        proptest::collection::vec(
            (
                maybe(IDS),
                maybe(NAMES),
                maybe(COUNTRIES),
                word(&["jumelage", "cooperation", "other"]),
                proptest::option::of(any::<i32>()),
                any::<bool>(),
            ),
            0..3,
        ),
        proptest::collection::vec(
            (word(COUNTRIES), word(&["diaspora", "ngo"]), maybe(NAMES)),
            0..2,
        ),
        proptest::option::of((word(&["open", "closed"]), maybe(DATES), maybe(DATES))),
        maybe(&["2026-01-01T00:00:00Z"]),
        proptest::collection::btree_map(word(&["profile"]), word(&["generated"]), 0..2),
    );
    (identity, profile, links).prop_map(|(identity, profile, links)| {
        let (id, country, kind, level, name, alt_names, location, population, area_km2) = identity;
        let (languages, contact, activities, themes, offer, request) = profile;
        let (partnerships, actors, call, updated_at, provenance) = links;
        pb::Fiche {
            id,
            country,
            kind,
            level,
            name,
            alt_names,
            admin: None,
            location: location.map(|(lat, lon, approximate)| pb::Location {
                lat,
                lon,
                approximate,
            }),
            population,
            area_km2,
            languages,
            contact: contact.map(|(name, email)| pb::Contact {
                name,
                email,
                ..Default::default()
            }),
            activities,
            themes: themes
                .into_iter()
                .map(|(code, weight)| pb::WeightedTheme { code, weight })
                .collect(),
            offer,
            request,
            partnerships: partnerships
                .into_iter()
                .map(
                    |(partner_id, partner_name, country, kind, since, active)| pb::Partnership {
                        partner_id,
                        partner_name,
                        country,
                        kind,
                        since,
                        themes: Vec::new(),
                        active,
                    },
                )
                .collect(),
            foreign_actors: actors
                .into_iter()
                .map(|(country, kind, name)| pb::ForeignActor {
                    country,
                    kind,
                    name,
                })
                .collect(),
            call: call.map(|(status, published, expires)| pb::Call {
                status,
                published,
                expires,
            }),
            updated_at,
            provenance: provenance.into_iter().collect(),
        }
    })
}

/// A JSON value of any shape, a few levels deep.
fn any_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        proptest::string::string_regex("(?s).{0,16}")
            .unwrap()
            .prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A JSON object with the format's keys, each holding anything.
fn any_fiche_json() -> impl Strategy<Value = String> {
    const KEYS: &[&str] = &[
        "id",
        "country",
        "kind",
        "level",
        "name",
        "alt_names",
        "admin",
        "location",
        "population",
        "area_km2",
        "languages",
        "contact",
        "activities",
        "themes",
        "offer",
        "request",
        "partnerships",
        "foreign_actors",
        "call",
        "updated_at",
        "provenance",
    ];
    proptest::collection::btree_map(proptest::sample::select(KEYS), any_json(), 0..12).prop_map(
        |map| {
            serde_json::Value::Object(map.into_iter().map(|(k, v)| (k.into(), v)).collect())
                .to_string()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_into_every_request(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        every_request(&bytes)?;
    }

    #[test]
    fn arbitrary_fiches_are_accepted_valid_or_refused_naming_a_field(fiche in any_fiche()) {
        match convert::fiche_from_proto(&fiche) {
            Ok(parsed) => {
                prop_assert!(parsed.validate().is_ok());
                let line = jsonl::to_line(&parsed);
                prop_assert_eq!(jsonl::parse_fiche(&line).unwrap(), parsed);
            }
            Err(error) => prop_assert!(error.message.len() <= 1000, "{:?}", error),
        }
        // The same fiche through the upsert handler, and its message's bytes
        // mangled (cut short, one byte changed) into every request decoder.
        let message = pb::UpsertFichesRequest { fiches: vec![fiche], atomic: false };
        let h = handlers();
        let outcome = h.runtime.block_on(h.fiches.upsert_fiches(admin(message.clone())));
        answered("UpsertFiches", outcome)?;
        let bytes = message.encode_to_vec();
        every_request(&bytes[..bytes.len() / 2])?;
        let mut flipped = bytes.clone();
        let at = bytes.len() / 3;
        if let Some(byte) = flipped.get_mut(at) {
            *byte ^= 0x5a;
        }
        every_request(&flipped)?;
    }

    #[test]
    fn the_jsonl_reader_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for item in jsonl::FicheLines::new(&bytes[..]) {
            let (_, parsed) = item.unwrap();
            if let Ok(fiche) = parsed {
                prop_assert!(fiche.validate().is_ok());
            }
        }
    }

    #[test]
    fn the_jsonl_reader_takes_any_json_at_the_fiche_keys(line in any_fiche_json()) {
        match jsonl::parse_fiche(&line) {
            Ok(fiche) => prop_assert!(fiche.validate().is_ok()),
            Err(error) => prop_assert!(error.message.len() <= 1000, "{:?}", error),
        }
    }
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let deep_json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(jsonl::parse_fiche(&deep_json).is_err());
    let deep_object = format!("{}1{}", "{\"id\":".repeat(50_000), "}".repeat(50_000));
    assert!(jsonl::parse_fiche(&deep_object).is_err());
    // Groups nested past prost's recursion limit, in an unknown field of a request.
    let mut groups = vec![(15 << 3) | 3; 10_000];
    groups.extend(vec![(15u8 << 3) | 4; 10_000]);
    assert!(pb::SuggestRequest::decode(&groups[..]).is_err());
    every_request(&groups).unwrap();
}
