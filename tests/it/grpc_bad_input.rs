//! The bad-input corpus over gRPC: oversized strings and messages, bytes that are not
//! protobuf, NaN and other bad numbers, injection attempts, wrong sides and wrong
//! roles. Each case asserts its status code, that the message names the field (also
//! in the `passerelle-field` metadata) and stays short; all the while, a probe on
//! another connection checks that health and `GetFiche` answer within 1 s, and at
//! the end the store is as it was.

use std::future::Future;
use std::pin::Pin;

use passerelle_proto::v1 as pb;
use tonic::{Code, Status};

use super::grpc_harness::{
    ADMIN, Harness, LIVENESS, LYON, MARSEILLE, PORTAL, Probe, STAFF, TOULOUSE, field_of,
};

/// `client.method(request)` as a future owning its client.
macro_rules! on {
    ($client:expr, $method:ident, $request:expr) => {{
        let mut client = $client;
        let request = $request;
        async move { client.$method(request).await }
    }};
}

type Call<'a> = Pin<Box<dyn Future<Output = Result<(), Status>> + Send + 'a>>;

struct Case<'a> {
    name: &'static str,
    code: Code,
    /// The field the status must name (message and metadata), when there is one.
    field: Option<&'static str>,
    call: Call<'a>,
}

fn case<'a, T: Send + 'a>(
    name: &'static str,
    code: Code,
    field: Option<&'static str>,
    call: impl Future<Output = Result<T, Status>> + Send + 'a,
) -> Case<'a> {
    Case {
        name,
        code,
        field,
        call: Box::pin(async move { call.await.map(|_| ()) }),
    }
}

/// INVALID_ARGUMENT naming `field`.
fn invalid<'a, T: Send + 'a>(
    name: &'static str,
    field: &'static str,
    call: impl Future<Output = Result<T, Status>> + Send + 'a,
) -> Case<'a> {
    case(name, Code::InvalidArgument, Some(field), call)
}

/// Longest message a status of the corpus may carry (the server cuts at 1,500
/// bytes; a field name and the prefix come on top).
const SHORT: usize = 1700;

fn id_ref(id: impl Into<String>) -> Option<pb::FicheRef> {
    Some(pb::FicheRef {
        r#ref: Some(pb::fiche_ref::Ref::Id(id.into())),
        country: None,
    })
}

fn name_ref(name: impl Into<String>) -> Option<pb::FicheRef> {
    Some(pb::FicheRef {
        r#ref: Some(pb::fiche_ref::Ref::Name(name.into())),
        country: None,
    })
}

fn weights(thematic: f64) -> Option<pb::Weights> {
    Some(pb::Weights {
        thematic: Some(thematic),
        ..Default::default()
    })
}

fn spec(french: &str, foreign: &str) -> pb::BatchSpec {
    pb::BatchSpec {
        french: french.into(),
        foreign: foreign.into(),
        ..Default::default()
    }
}

fn start(spec: pb::BatchSpec) -> pb::StartBatchRequest {
    pb::StartBatchRequest { spec: Some(spec) }
}

fn atomic(fiche: pb::Fiche) -> pb::UpsertFichesRequest {
    pb::UpsertFichesRequest {
        fiches: vec![fiche],
        atomic: true,
    }
}

/// A protobuf field: tag, then the bytes as given.
fn field(number: u8, wire_type: u8, bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![(number << 3) | wire_type];
    out.extend_from_slice(bytes);
    out
}

/// A length-delimited field holding `bytes` (shorter than 128).
fn delimited(number: u8, bytes: &[u8]) -> Vec<u8> {
    let mut length = vec![bytes.len() as u8];
    length.extend_from_slice(bytes);
    field(number, 2, &length)
}

const GET_FICHE: &str = "/passerelle.v1.FicheService/GetFiche";
const LOOKUP: &str = "/passerelle.v1.FicheService/LookupByName";
const UPSERT: &str = "/passerelle.v1.FicheService/UpsertFiches";
const UPSERT_STREAM: &str = "/passerelle.v1.FicheService/UpsertFichesStream";
const SUGGEST: &str = "/passerelle.v1.MatchService/Suggest";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_naming_the_field_while_the_server_keeps_answering() {
    let h = Harness::start().await;
    let count_before = h.state.corpus().count().unwrap();
    let marseille = {
        let request = pb::GetFicheRequest {
            id: MARSEILLE.into(),
        };
        let fiche = on!(h.fiches(STAFF), get_fiche, request).await.unwrap();
        fiche.into_inner().fiche.unwrap()
    };
    let with = |change: &dyn Fn(&mut pb::Fiche)| {
        let mut fiche = marseille.clone();
        change(&mut fiche);
        fiche
    };
    let probe = Probe::start(&h, MARSEILLE).await;

    let long_id = "A".repeat(20_000);
    let long_token = "t".repeat(10_000);
    let huge = "x".repeat(100_000);
    let ten_mb = "é".repeat(5 << 20);
    let code = "z".repeat(10_000);
    let cases: Vec<Case<'_>> = vec![
        // ---- oversized strings: refused before any work, quoted by a prefix -------
        invalid(
            "GetFiche with a 20,000-character id",
            "id",
            on!(
                h.fiches(STAFF),
                get_fiche,
                pb::GetFicheRequest {
                    id: long_id.clone(),
                }
            ),
        ),
        invalid(
            "DeleteFiche with a 20,000-character id",
            "id",
            on!(
                h.fiches(ADMIN),
                delete_fiche,
                pb::DeleteFicheRequest {
                    id: long_id.clone(),
                }
            ),
        ),
        invalid(
            "LookupByName with a 100 KB name",
            "name",
            on!(
                h.fiches(STAFF),
                lookup_by_name,
                pb::LookupByNameRequest {
                    name: huge.clone(),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "LookupByName with a 10 MB name",
            "name",
            on!(
                h.fiches(STAFF),
                lookup_by_name,
                pb::LookupByNameRequest {
                    name: ten_mb.clone(),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "LookupByName with a 201-character name",
            "name",
            on!(
                h.fiches(STAFF),
                lookup_by_name,
                pb::LookupByNameRequest {
                    name: "b".repeat(201),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "LookupByName with a 10 KB country",
            "country",
            on!(
                h.fiches(STAFF),
                lookup_by_name,
                pb::LookupByNameRequest {
                    name: "Lyon".into(),
                    country: Some(code.clone()),
                    limit: 0,
                }
            ),
        ),
        invalid(
            "SearchFiches with a 100 KB text",
            "text",
            on!(
                h.fiches(STAFF),
                search_fiches,
                pb::SearchFichesRequest {
                    text: huge.clone(),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "SearchFiches with a 10 KB country filter",
            "filters.country",
            on!(
                h.fiches(STAFF),
                search_fiches,
                pb::SearchFichesRequest {
                    filters: Some(pb::SearchFilters {
                        country: Some(code.clone()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "SearchFiches with a 10 KB admin1 filter",
            "filters.admin1",
            on!(
                h.fiches(STAFF),
                search_fiches,
                pb::SearchFichesRequest {
                    filters: Some(pb::SearchFilters {
                        admin1: Some(code.clone()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "SearchFiches with a 10 KB theme code",
            "filters.theme",
            on!(
                h.fiches(STAFF),
                search_fiches,
                pb::SearchFichesRequest {
                    filters: Some(pb::SearchFilters {
                        theme: Some(code.clone()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "SearchFiches with a 10 KB date",
            "filters.open_on",
            on!(
                h.fiches(STAFF),
                search_fiches,
                pb::SearchFichesRequest {
                    filters: Some(pb::SearchFilters {
                        open_on: Some(code.clone()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "SearchFiches with a 10 KB side",
            "filters.side",
            on!(
                h.fiches(STAFF),
                search_fiches,
                pb::SearchFichesRequest {
                    filters: Some(pb::SearchFilters {
                        side: Some(code.clone()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "Suggest by a 20,000-character id",
            "fiche.id",
            on!(
                h.matches(STAFF),
                suggest,
                pb::SuggestRequest {
                    fiche: id_ref(long_id.clone()),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "Suggest by a 100 KB name",
            "fiche.name",
            on!(
                h.matches(STAFF),
                suggest,
                pb::SuggestRequest {
                    fiche: name_ref(huge.clone()),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "Suggest with a 10 KB country",
            "fiche.country",
            on!(
                h.matches(STAFF),
                suggest,
                pb::SuggestRequest {
                    fiche: Some(pb::FicheRef {
                        r#ref: Some(pb::fiche_ref::Ref::Name("Lyon".into())),
                        country: Some(code.clone()),
                    }),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "Suggest with a 10 KB theme filter",
            "filters.theme",
            on!(
                h.matches(STAFF),
                suggest,
                pb::SuggestRequest {
                    fiche: id_ref(MARSEILLE),
                    filters: Some(pb::CandidateFilters {
                        theme: Some(code.clone()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "ExplainPair with a 100 KB name",
            "a.name",
            on!(
                h.matches(STAFF),
                explain_pair,
                pb::ExplainPairRequest {
                    a: name_ref(huge.clone()),
                    b: id_ref(MARSEILLE),
                    weights: None,
                }
            ),
        ),
        invalid(
            "ExplainPair with a 20,000-character id",
            "b.id",
            on!(
                h.matches(STAFF),
                explain_pair,
                pb::ExplainPairRequest {
                    a: id_ref(MARSEILLE),
                    b: id_ref(long_id.clone()),
                    weights: None,
                }
            ),
        ),
        invalid(
            "RecordDecision with a 20,000-character id",
            "fiche_a",
            on!(
                h.reviews(STAFF),
                record_decision,
                pb::RecordDecisionRequest {
                    fiche_a: long_id.clone(),
                    fiche_b: "BJ-COM-BJ-AK-BOU".into(),
                    kind: pb::DecisionKind::Accept as i32,
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "RecordDecision with a 10,000-character note",
            "note",
            on!(
                h.reviews(STAFF),
                record_decision,
                pb::RecordDecisionRequest {
                    fiche_a: MARSEILLE.into(),
                    fiche_b: "BJ-COM-BJ-AK-BOU".into(),
                    kind: pb::DecisionKind::Accept as i32,
                    note: code.clone(),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "RecordDecision with a 1,000-character reviewer",
            "reviewer",
            on!(
                h.reviews(STAFF),
                record_decision,
                pb::RecordDecisionRequest {
                    fiche_a: MARSEILLE.into(),
                    fiche_b: "BJ-COM-BJ-AK-BOU".into(),
                    kind: pb::DecisionKind::Accept as i32,
                    reviewer: "r".repeat(1000),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "ListDecisions with a 20,000-character id",
            "fiche_id",
            on!(
                h.reviews(STAFF),
                list_decisions,
                pb::ListDecisionsRequest {
                    fiche_id: long_id.clone(),
                    partner_id: None,
                }
            ),
        ),
        invalid(
            "ListDecisions with a 20,000-character partner",
            "partner_id",
            on!(
                h.reviews(STAFF),
                list_decisions,
                pb::ListDecisionsRequest {
                    fiche_id: MARSEILLE.into(),
                    partner_id: Some(long_id.clone()),
                }
            ),
        ),
        invalid(
            "ReviewQueue with a 20,000-character page token",
            "page_token",
            on!(
                h.reviews(STAFF),
                review_queue,
                pb::ReviewQueueRequest {
                    page_token: "9".repeat(20_000),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "ReviewQueue with a 10 KB région",
            "region",
            on!(
                h.reviews(STAFF),
                review_queue,
                pb::ReviewQueueRequest {
                    region: Some(code.clone()),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "ReviewQueue with a 10 KB theme",
            "theme",
            on!(
                h.reviews(STAFF),
                review_queue,
                pb::ReviewQueueRequest {
                    theme: Some(code.clone()),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "StartBatch with a 200 KB scope",
            "spec.french",
            on!(
                h.batches(STAFF),
                start_batch,
                start(spec(&"x".repeat(200_000), "all"))
            ),
        ),
        invalid(
            "StartBatch with a 10 KB exclusion",
            "spec.exclude[0]",
            on!(
                h.batches(STAFF),
                start_batch,
                start(pb::BatchSpec {
                    exclude: vec![code.clone()],
                    ..spec("all", "all")
                })
            ),
        ),
        invalid(
            "StartBatch naming 150 fiches by name",
            "spec",
            on!(
                h.batches(STAFF),
                start_batch,
                start(pb::BatchSpec {
                    exclude: (0..150).map(|i| format!("Ville {i}")).collect(),
                    ..spec("all", "all")
                })
            ),
        ),
        invalid(
            "StartBatch with a 1,000-character slot label",
            "spec.agenda.slots[0].label",
            on!(
                h.batches(STAFF),
                start_batch,
                start(pb::BatchSpec {
                    agenda: Some(pb::BatchAgenda {
                        slots: vec![pb::BatchSlot {
                            label: "l".repeat(1000),
                            start: "2026-12-03T09:00".into(),
                            end: "2026-12-03T10:00".into(),
                        }],
                        tables: 2,
                    }),
                    ..spec("all", "all")
                })
            ),
        ),
        invalid(
            "UpsertFiches with 1,001 fiches",
            "fiches",
            on!(
                h.fiches(STAFF),
                upsert_fiches,
                pb::UpsertFichesRequest {
                    fiches: vec![marseille.clone(); 1001],
                    atomic: false,
                }
            ),
        ),
        invalid(
            "UpsertFiches with a 20,000-character id",
            "fiches[0].id",
            on!(
                h.fiches(STAFF),
                upsert_fiches,
                atomic(with(&|f| f.id = long_id.clone()))
            ),
        ),
        invalid(
            "UpsertFiches with a 300-character name",
            "fiches[0].name",
            on!(
                h.fiches(STAFF),
                upsert_fiches,
                atomic(with(&|f| f.name = "n".repeat(300)))
            ),
        ),
        invalid(
            "UpsertFiches with a 30,000-character text",
            "fiches[0].activities",
            on!(
                h.fiches(STAFF),
                upsert_fiches,
                atomic(with(&|f| f.activities = Some("t".repeat(30_000))))
            ),
        ),
        case(
            "UpsertFiches of 17 MB",
            Code::ResourceExhausted,
            None,
            on!(
                h.fiches(STAFF),
                upsert_fiches,
                atomic(with(&|f| f.activities = Some("t".repeat(17 << 20))),)
            ),
        ),
        // ---- bytes that are not the message ------------------------------------------
        invalid(
            "GetFiche whose id is not UTF-8",
            "id",
            h.raw(STAFF, GET_FICHE, delimited(1, &[0xff, 0xfe, 0x41])),
        ),
        invalid(
            "LookupByName whose name is not UTF-8",
            "name",
            h.raw(STAFF, LOOKUP, delimited(1, &[0xc3, 0x28])),
        ),
        invalid(
            "GetFiche whose id has the wrong wire type",
            "id",
            h.raw(STAFF, GET_FICHE, field(1, 0, &[0x01])),
        ),
        case(
            "GetFiche truncated inside its id",
            Code::InvalidArgument,
            None,
            h.raw(STAFF, GET_FICHE, field(1, 2, &[0x10, b'F', b'R'])),
        ),
        case(
            "GetFiche with an endless varint",
            Code::InvalidArgument,
            None,
            h.raw(STAFF, GET_FICHE, field(2, 0, &[0xff; 11])),
        ),
        case(
            "Suggest with groups nested 200 deep",
            Code::InvalidArgument,
            None,
            h.raw(STAFF, SUGGEST, {
                let mut nested = vec![(15 << 3) | 3; 200];
                nested.extend(vec![(15 << 3) | 4; 200]);
                nested
            }),
        ),
        invalid(
            "UpsertFiches whose fiche name is not UTF-8",
            "fiches.name",
            h.raw(
                STAFF,
                UPSERT,
                delimited(1, &delimited(5, &[b'L', 0xff, b'n'])),
            ),
        ),
        invalid(
            "UpsertFichesStream whose second message is not UTF-8",
            "fiches.id",
            h.raw_stream(
                STAFF,
                UPSERT_STREAM,
                vec![Vec::new(), delimited(1, &delimited(1, &[0xfe]))],
            ),
        ),
        case(
            "A message of 20 MB of zeros",
            Code::ResourceExhausted,
            None,
            h.raw(STAFF, GET_FICHE, vec![0; 20 << 20]),
        ),
        invalid(
            "RecordDecision with an unknown kind",
            "kind",
            on!(
                h.reviews(STAFF),
                record_decision,
                pb::RecordDecisionRequest {
                    fiche_a: MARSEILLE.into(),
                    fiche_b: "BJ-COM-BJ-AK-BOU".into(),
                    kind: 99,
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "GetFiche with an empty id",
            "id",
            on!(
                h.fiches(STAFF),
                get_fiche,
                pb::GetFicheRequest { id: String::new() }
            ),
        ),
        // ---- bad numbers ---------------------------------------------------------------
        invalid(
            "Suggest with a NaN weight",
            "weights.thematic",
            on!(
                h.matches(STAFF),
                suggest,
                pb::SuggestRequest {
                    fiche: id_ref(MARSEILLE),
                    weights: weights(f64::NAN),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "Suggest with an infinite weight",
            "weights.geography",
            on!(
                h.matches(STAFF),
                suggest,
                pb::SuggestRequest {
                    fiche: id_ref(MARSEILLE),
                    weights: Some(pb::Weights {
                        geography: Some(f64::INFINITY),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "Suggest with a negative weight",
            "weights.size",
            on!(
                h.matches(STAFF),
                suggest,
                pb::SuggestRequest {
                    fiche: id_ref(MARSEILLE),
                    weights: Some(pb::Weights {
                        size: Some(-0.5),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "Suggest with every weight 0",
            "weights",
            on!(
                h.matches(STAFF),
                suggest,
                pb::SuggestRequest {
                    fiche: id_ref(MARSEILLE),
                    weights: Some(pb::Weights {
                        thematic: Some(0.0),
                        geography: Some(0.0),
                        size: Some(0.0),
                        underserved: Some(0.0),
                    }),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "Suggest with weights adding up past the largest float",
            "weights.thematic",
            on!(
                h.matches(STAFF),
                suggest,
                pb::SuggestRequest {
                    fiche: id_ref(MARSEILLE),
                    weights: Some(pb::Weights {
                        thematic: Some(1e308),
                        geography: Some(1e308),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "ExplainPair with a NaN weight",
            "weights.underserved",
            on!(
                h.matches(STAFF),
                explain_pair,
                pb::ExplainPairRequest {
                    a: id_ref(MARSEILLE),
                    b: id_ref("BJ-COM-BJ-AK-BOU"),
                    weights: Some(pb::Weights {
                        underserved: Some(f64::NAN),
                        ..Default::default()
                    }),
                }
            ),
        ),
        invalid(
            "StartBatch with a NaN minimum score",
            "spec.min_score",
            on!(
                h.batches(STAFF),
                start_batch,
                start(pb::BatchSpec {
                    min_score: f64::NAN,
                    ..spec("all", "all")
                })
            ),
        ),
        invalid(
            "StartBatch with an infinite minimum score",
            "spec.min_score",
            on!(
                h.batches(STAFF),
                start_batch,
                start(pb::BatchSpec {
                    min_score: f64::NEG_INFINITY,
                    ..spec("all", "all")
                })
            ),
        ),
        invalid(
            "StartBatch with a NaN weight",
            "spec.weights.thematic",
            on!(
                h.batches(STAFF),
                start_batch,
                start(pb::BatchSpec {
                    weights: weights(f64::NAN),
                    ..spec("all", "all")
                })
            ),
        ),
        invalid(
            "StartBatch with k 5000",
            "spec.k",
            on!(
                h.batches(STAFF),
                start_batch,
                start(pb::BatchSpec {
                    k: 5000,
                    ..spec("all", "all")
                })
            ),
        ),
        invalid(
            "UpsertFiches with a NaN latitude",
            "fiches[0].location.lat",
            on!(
                h.fiches(STAFF),
                upsert_fiches,
                atomic(with(&|f| f.location.as_mut().unwrap().lat = f64::NAN))
            ),
        ),
        invalid(
            "UpsertFiches with an infinite longitude",
            "fiches[0].location.lon",
            on!(
                h.fiches(STAFF),
                upsert_fiches,
                atomic(with(&|f| {
                    f.location.as_mut().unwrap().lon = f64::INFINITY
                }))
            ),
        ),
        invalid(
            "UpsertFiches with a NaN area",
            "fiches[0].area_km2",
            on!(
                h.fiches(STAFF),
                upsert_fiches,
                atomic(with(&|f| f.area_km2 = Some(f64::NAN)))
            ),
        ),
        invalid(
            "UpsertFiches with a NaN theme weight",
            "fiches[0].themes[0].weight",
            on!(
                h.fiches(STAFF),
                upsert_fiches,
                atomic(with(&|f| f.themes[0].weight = f64::NAN))
            ),
        ),
        invalid(
            "Suggest with k 1001",
            "k",
            on!(
                h.matches(STAFF),
                suggest,
                pb::SuggestRequest {
                    fiche: id_ref(MARSEILLE),
                    k: 1001,
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "Suggest with at most 0 per country",
            "max_per_country",
            on!(
                h.matches(STAFF),
                suggest,
                pb::SuggestRequest {
                    fiche: id_ref(MARSEILLE),
                    max_per_country: Some(0),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "SearchFiches with an offset of 200,000",
            "offset",
            on!(
                h.fiches(STAFF),
                search_fiches,
                pb::SearchFichesRequest {
                    offset: 200_000,
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "LookupByName with 101 hits",
            "limit",
            on!(
                h.fiches(STAFF),
                lookup_by_name,
                pb::LookupByNameRequest {
                    name: "Lyon".into(),
                    limit: 101,
                    country: None,
                }
            ),
        ),
        invalid(
            "ReviewQueue with pages of 101",
            "page_size",
            on!(
                h.reviews(STAFF),
                review_queue,
                pb::ReviewQueueRequest {
                    page_size: 101,
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "ReviewQueue with a negative page token",
            "page_token",
            on!(
                h.reviews(STAFF),
                review_queue,
                pb::ReviewQueueRequest {
                    page_token: "-1".into(),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "ReviewQueue with a page token past the deepest page",
            "page_token",
            on!(
                h.reviews(STAFF),
                review_queue,
                pb::ReviewQueueRequest {
                    page_token: "99999999999".into(),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "ListBatches with a limit of 101",
            "limit",
            on!(
                h.batches(STAFF),
                list_batches,
                pb::ListBatchesRequest { limit: 101 }
            ),
        ),
        // ---- injection: data, never syntax ----------------------------------------
        case(
            "SearchFiches with SQL in the text",
            Code::Ok,
            None,
            on!(
                h.fiches(STAFF),
                search_fiches,
                pb::SearchFichesRequest {
                    text: "x'; DROP TABLE fiches; --".into(),
                    ..Default::default()
                }
            ),
        ),
        case(
            "SearchFiches with query syntax in the text",
            Code::Ok,
            None,
            on!(
                h.fiches(STAFF),
                search_fiches,
                pb::SearchFichesRequest {
                    text: "name:* OR id:[* TO *] AND ^10 \"".into(),
                    ..Default::default()
                }
            ),
        ),
        case(
            "LookupByName with SQL in the name",
            Code::Ok,
            None,
            on!(
                h.fiches(STAFF),
                lookup_by_name,
                pb::LookupByNameRequest {
                    name: "Robert'); DROP TABLE fiches;--".into(),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "GetFiche with SQL in the id",
            "id",
            on!(
                h.fiches(STAFF),
                get_fiche,
                pb::GetFicheRequest {
                    id: "FR-COM-1' OR '1'='1".into(),
                }
            ),
        ),
        invalid(
            "LookupByName with a control character",
            "name",
            on!(
                h.fiches(STAFF),
                lookup_by_name,
                pb::LookupByNameRequest {
                    name: "Lyon\u{7}\u{1b}[2J".into(),
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "UpsertFiches with a control character in the name",
            "fiches[0].name",
            on!(
                h.fiches(STAFF),
                upsert_fiches,
                atomic(with(&|f| f.name = "Marseille\u{1b}[31m".into()))
            ),
        ),
        invalid(
            "StartBatch with a scope of another kind in an id list",
            "spec.french",
            on!(
                h.batches(STAFF),
                start_batch,
                start(spec("region:93;ids:FR-COM-13055", "all"))
            ),
        ),
        invalid(
            "SearchFiches with a theme code in right-to-left override",
            "filters.theme",
            on!(
                h.fiches(STAFF),
                search_fiches,
                pb::SearchFichesRequest {
                    filters: Some(pb::SearchFilters {
                        theme: Some("\u{202e}eau-assainissement".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            ),
        ),
        // ---- wrong sides -----------------------------------------------------------------
        invalid(
            "RecordDecision on two French fiches",
            "fiche_b",
            on!(
                h.reviews(STAFF),
                record_decision,
                pb::RecordDecisionRequest {
                    fiche_a: MARSEILLE.into(),
                    fiche_b: LYON.into(),
                    kind: pb::DecisionKind::Reject as i32,
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "RecordDecision on two foreign fiches",
            "fiche_b",
            on!(
                h.reviews(STAFF),
                record_decision,
                pb::RecordDecisionRequest {
                    fiche_a: "BJ-COM-BJ-AK-BOU".into(),
                    fiche_b: "BJ-COM-BJ-AK-COB".into(),
                    kind: pb::DecisionKind::Accept as i32,
                    ..Default::default()
                }
            ),
        ),
        case(
            "RecordDecision on a fiche that does not exist",
            Code::NotFound,
            Some("fiche_b"),
            on!(
                h.reviews(STAFF),
                record_decision,
                pb::RecordDecisionRequest {
                    fiche_a: MARSEILLE.into(),
                    fiche_b: "BJ-COM-NOWHERE".into(),
                    kind: pb::DecisionKind::Accept as i32,
                    ..Default::default()
                }
            ),
        ),
        invalid(
            "ExplainPair of two French fiches",
            "b",
            on!(
                h.matches(STAFF),
                explain_pair,
                pb::ExplainPairRequest {
                    a: id_ref(MARSEILLE),
                    b: id_ref(TOULOUSE),
                    weights: None,
                }
            ),
        ),
        invalid(
            "StartBatch with a foreign country as the French scope",
            "spec.french",
            on!(
                h.batches(STAFF),
                start_batch,
                start(spec("country:BJ", "all"))
            ),
        ),
        invalid(
            "StartBatch with France as the foreign scope",
            "spec.foreign",
            on!(
                h.batches(STAFF),
                start_batch,
                start(spec("all", "country:FR"))
            ),
        ),
        invalid(
            "StartBatch with a foreign fiche in the French list",
            "spec.french",
            on!(
                h.batches(STAFF),
                start_batch,
                start(spec("ids:BJ-COM-BJ-AK-BOU", "all"))
            ),
        ),
        // ---- wrong roles -----------------------------------------------------------------
        case(
            "RecordDecision by a portal",
            Code::PermissionDenied,
            None,
            on!(
                h.reviews(PORTAL),
                record_decision,
                pb::RecordDecisionRequest {
                    fiche_a: MARSEILLE.into(),
                    fiche_b: "BJ-COM-BJ-AK-BOU".into(),
                    kind: pb::DecisionKind::Reject as i32,
                    ..Default::default()
                }
            ),
        ),
        case(
            "ReviewQueue by a portal",
            Code::PermissionDenied,
            None,
            on!(
                h.reviews(PORTAL),
                review_queue,
                pb::ReviewQueueRequest::default()
            ),
        ),
        case(
            "ListBatches by a portal",
            Code::PermissionDenied,
            None,
            on!(
                h.batches(PORTAL),
                list_batches,
                pb::ListBatchesRequest { limit: 1 }
            ),
        ),
        case(
            "DeleteFiche by staff",
            Code::PermissionDenied,
            None,
            on!(
                h.fiches(STAFF),
                delete_fiche,
                pb::DeleteFicheRequest { id: LYON.into() }
            ),
        ),
        case(
            "UpsertFiches of another collectivité by a portal",
            Code::PermissionDenied,
            Some("fiches[0].id"),
            on!(
                h.fiches(PORTAL),
                upsert_fiches,
                atomic(with(&|f| f.id = LYON.into()))
            ),
        ),
        case(
            "GetFiche with a token the server does not know",
            Code::Unauthenticated,
            None,
            h.raw("not-a-token-of-this-server", GET_FICHE, Vec::new()),
        ),
        case(
            "GetFiche with a 10 KB token",
            Code::Unauthenticated,
            None,
            h.raw(&long_token, GET_FICHE, Vec::new()),
        ),
        case(
            "GetFiche without a token",
            Code::Unauthenticated,
            None,
            h.raw("", GET_FICHE, Vec::new()),
        ),
    ];
    assert!(cases.len() >= 60, "{} cases", cases.len());

    let mut failures = Vec::new();
    for case in cases {
        let outcome = case.call.await;
        let (got, status) = match &outcome {
            Ok(()) => (Code::Ok, None),
            Err(status) => (status.code(), Some(status)),
        };
        if got != case.code {
            failures.push(format!(
                "{}: expected {:?}, got {outcome:?}",
                case.name, case.code
            ));
            continue;
        }
        let Some(status) = status else { continue };
        if status.message().len() > SHORT {
            failures.push(format!(
                "{}: a message of {} bytes",
                case.name,
                status.message().len()
            ));
        }
        if let Some(field) = case.field {
            let named = status.message().contains(&format!("`{field}`"));
            if field_of(status) != field || !named {
                failures.push(format!(
                    "{}: field {field} not named: {status:?}",
                    case.name
                ));
            }
        }
    }

    let report = probe.finish().await;
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(report.calls > 0);
    assert!(
        report.failures.is_empty(),
        "health and GetFiche must answer within {LIVENESS:?} throughout: {report:?}"
    );
    // Nothing of it was written.
    assert_eq!(h.state.corpus().count().unwrap(), count_before);
    let request = pb::GetFicheRequest {
        id: MARSEILLE.into(),
    };
    let after = on!(h.fiches(STAFF), get_fiche, request).await.unwrap();
    assert_eq!(after.into_inner().fiche.unwrap(), marseille);
    h.stop().await;
}
