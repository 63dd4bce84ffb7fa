//! Statuses about the request's bytes themselves, made by tonic before a handler
//! runs, given the codes of the gRPC conventions:
//!
//! - a message that does not decode (invalid UTF-8 in a string, a wrong wire type, a
//!   truncated message, nesting past prost's recursion limit) is the client's fault:
//!   INVALID_ARGUMENT naming the field prost stopped at, not tonic's INTERNAL;
//! - a message above the server's size limit is RESOURCE_EXHAUSTED, not tonic's
//!   OUT_OF_RANGE.
//!
//! Unary and server-streaming calls decode their request before the handler runs and
//! answer a failure in the response headers: [`layer`] rewrites those. A client
//! stream's messages are decoded as the handler reads them: it maps what it reads with
//! [`request_status`].

use tonic::Code;
use tonic::Status;
use tonic::codegen::http;
use tonic::metadata::MetadataValue;

use super::status::FIELD_METADATA;

/// How prost's `DecodeError` introduces itself (tonic-prost makes it an INTERNAL).
const DECODE_ERROR: &str = "failed to decode Protobuf message: ";
/// How tonic reports a message above `max_decoding_message_size` (OUT_OF_RANGE).
const TOO_LARGE: &str = "Error, decoded message length too large: ";

/// The status a client should get for a status tonic made about its request.
pub fn request_status(status: Status) -> Status {
    match status.code() {
        Code::Internal if status.message().starts_with(DECODE_ERROR) => {
            undecodable(&status.message()[DECODE_ERROR.len()..])
        }
        Code::OutOfRange if status.message().starts_with(TOO_LARGE) => {
            Status::resource_exhausted(format!(
                "message trop grand ({}) ; découpez-le (au plus 1000 fiches par message d'UpsertFiches)",
                &status.message()[TOO_LARGE.len()..]
            ))
        }
        _ => status,
    }
}

/// INVALID_ARGUMENT for a message prost could not decode. Its error reads
/// `Fiche.name: UpsertFichesRequest.fiches: invalid string value: …` (innermost
/// first): the field path is those `Message.field` parts read outermost first
/// (`fiches.name`).
fn undecodable(detail: &str) -> Status {
    let parts: Vec<&str> = detail.split(": ").collect();
    let stack = parts
        .iter()
        .take_while(|part| is_message_field(part))
        .count();
    let path: Vec<&str> = parts[..stack]
        .iter()
        .rev()
        .filter_map(|part| part.split_once('.').map(|(_, field)| field))
        .collect();
    let reason = parts[stack..].join(": ");
    let mut status = Status::invalid_argument(match path.is_empty() {
        true => format!("message protobuf illisible : {reason}"),
        false => format!(
            "champ `{}` : message protobuf illisible : {reason}",
            path.join(".")
        ),
    });
    if !path.is_empty()
        && let Ok(value) = MetadataValue::try_from(path.join("."))
    {
        status.metadata_mut().insert(FIELD_METADATA, value);
    }
    status
}

/// `Message.field`, as prost names a place in its errors.
fn is_message_field(part: &str) -> bool {
    let Some((message, field)) = part.split_once('.') else {
        return false;
    };
    let identifier = |s: &str| {
        !s.is_empty()
            && s.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    identifier(message) && identifier(field)
}

/// Rewrites a response whose headers carry a status tonic made about the request
/// (a trailers-only response); every other response passes untouched.
pub fn rewrite<B>(mut response: http::Response<B>) -> http::Response<B> {
    let headers = response.headers();
    let made_by_tonic = matches!(
        headers.get("grpc-status").map(|v| v.as_bytes()),
        Some(b"13" | b"11")
    );
    if !made_by_tonic {
        return response;
    }
    let Some(status) = Status::from_header_map(headers) else {
        return response;
    };
    let code = status.code();
    let mapped = request_status(status);
    if mapped.code() == code {
        return response;
    }
    let headers = response.headers_mut();
    headers.remove("grpc-message");
    headers.remove("grpc-status-details-bin");
    // The status, its message and its metadata (`passerelle-field`); this fails only
    // on a message that cannot be a header, which ours never are.
    let _ = mapped.add_header(headers);
    response
}

type Response = http::Response<tonic::body::Body>;

/// The layer the server applies to every response.
pub fn layer() -> tower::util::MapResponseLayer<fn(Response) -> Response> {
    tower::util::MapResponseLayer::new(rewrite as fn(Response) -> Response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_errors_become_invalid_argument_naming_the_field() {
        let status = request_status(Status::internal(
            "failed to decode Protobuf message: Fiche.name: UpsertFichesRequest.fiches: invalid string value: data is not UTF-8 encoded",
        ));
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().contains("`fiches.name`"), "{status:?}");
        assert!(status.message().contains("not UTF-8"), "{status:?}");
        assert_eq!(
            status.metadata().get(FIELD_METADATA).unwrap(),
            "fiches.name"
        );
        let bare = request_status(Status::internal(
            "failed to decode Protobuf message: buffer underflow",
        ));
        assert_eq!(bare.code(), Code::InvalidArgument);
        assert!(bare.message().ends_with("buffer underflow"), "{bare:?}");
        let large = request_status(Status::out_of_range(
            "Error, decoded message length too large: found 20000000 bytes, the limit is: 16777216 bytes",
        ));
        assert_eq!(large.code(), Code::ResourceExhausted);
        // Anything else is left alone.
        let other = request_status(Status::internal("internal error (store); see the log"));
        assert_eq!(other.code(), Code::Internal);
    }

    #[test]
    fn responses_are_rewritten_in_their_headers() {
        let made = Status::internal(
            "failed to decode Protobuf message: GetFicheRequest.id: invalid string value: data is not UTF-8 encoded",
        );
        let response = rewrite(made.into_http::<()>());
        let status = Status::from_header_map(response.headers()).unwrap();
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
        assert_eq!(response.headers().get(FIELD_METADATA).unwrap(), "id");
        let ok = http::Response::new(());
        assert!(rewrite(ok).headers().is_empty());
    }
}
