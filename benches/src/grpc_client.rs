//! What the gRPC load generators share (`bench-grpc`, `bench-writes`, `bench-soak`):
//! authenticated requests, the French fiches to query, latency percentiles.

use std::time::Duration;

use passerelle_proto::v1 as pb;
use pb::fiche_service_client::FicheServiceClient;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;

/// `message` with `authorization: Bearer <token>`.
pub fn authed<T>(message: T, token: &str) -> anyhow::Result<tonic::Request<T>> {
    let mut request = tonic::Request::new(message);
    let value = MetadataValue::try_from(format!("Bearer {token}"))?;
    request.metadata_mut().insert("authorization", value);
    Ok(request)
}

/// Up to 1,000 French fiches (id, name), found by a search: those the benches ask
/// suggestions for (the expensive direction).
pub async fn french_fiches(
    channel: &Channel,
    token: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    let scope = pb::SearchFichesRequest {
        filters: Some(pb::SearchFilters {
            side: Some("french".into()),
            ..Default::default()
        }),
        limit: 1000,
        ..Default::default()
    };
    let hits = FicheServiceClient::new(channel.clone())
        .search_fiches(authed(scope, token)?)
        .await?;
    let found: Vec<(String, String)> = (hits.into_inner().hits.into_iter())
        .map(|h| (h.id, h.name))
        .collect();
    anyhow::ensure!(!found.is_empty(), "no French fiche to query");
    Ok(found)
}

/// The `p` quantile (0 to 1) of sorted latencies, by nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Milliseconds, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
