//! From engine errors to gRPC statuses: one exhaustive match, so a new error variant
//! cannot be forgotten. Internal failures are logged (never with fiche contents) and
//! reported without their details.

use passerelle_engine::Error;
use passerelle_engine::fiche::FieldError;
use tonic::Status;
use tonic::metadata::MetadataValue;

/// Metadata key naming the field a rejected request or fiche is wrong in.
pub const FIELD_METADATA: &str = "passerelle-field";

/// Longest status message, in bytes. A status travels in HTTP/2 headers or trailers,
/// percent-encoded (a French accent takes six bytes there), and clients refuse header
/// blocks above 8 to 16 KB: a longer message (a spec with a thousand problems) would
/// reach the client as RESOURCE_EXHAUSTED instead of the error.
pub const MAX_MESSAGE_BYTES: usize = 1500;

/// `status` with its message cut to [`MAX_MESSAGE_BYTES`] (on a character boundary,
/// saying so), its code and metadata kept.
pub fn bounded(status: Status) -> Status {
    let message = status.message();
    if message.len() <= MAX_MESSAGE_BYTES {
        return status;
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    let cut = format!("{}… (message tronqué)", &message[..end]);
    Status::with_metadata(status.code(), cut, status.metadata().clone())
}

/// INVALID_ARGUMENT naming the field (in the message and in `passerelle-field`).
pub fn invalid_field(error: &FieldError) -> Status {
    let mut status = Status::invalid_argument(error.to_string());
    if let Ok(value) = MetadataValue::try_from(error.field.as_str()) {
        status.metadata_mut().insert(FIELD_METADATA, value);
    }
    status
}

/// `status` about the request field `field`: its message names the field, and so
/// does the `passerelle-field` metadata.
pub fn in_field(field: &str, status: Status) -> Status {
    let mut named = Status::new(
        status.code(),
        format!("champ `{field}` : {}", status.message()),
    );
    if let Ok(value) = MetadataValue::try_from(field) {
        named.metadata_mut().insert(FIELD_METADATA, value);
    }
    named
}

/// INTERNAL, the details logged and not sent.
pub(crate) fn internal(what: &str, error: &dyn std::fmt::Display) -> Status {
    tracing::error!(error = %error, "{what}");
    Status::internal(format!(
        "erreur interne ({what}) ; voir le journal du serveur"
    ))
}

/// The status an engine error is reported with, its message bounded.
pub fn from_engine(error: Error) -> Status {
    bounded(status_of(error))
}

fn status_of(error: Error) -> Status {
    match &error {
        Error::InvalidFiche(field) | Error::InvalidSpec(field) | Error::InvalidRequest(field) => {
            invalid_field(field)
        }
        Error::Field { .. } => {
            let Error::Field { field, source } = error else {
                unreachable!("matched above")
            };
            in_field(&field, status_of(*source))
        }
        Error::NoSuchRun(_) => Status::not_found(error.to_string()),
        Error::RunNotDone { .. } | Error::RunFinished { .. } => {
            Status::failed_precondition(error.to_string())
        }
        Error::SpecRejected { problems } => {
            let mut status = Status::invalid_argument(error.to_string());
            if let Some(first) = problems.first()
                && let Ok(value) = MetadataValue::try_from(first.field.as_str())
            {
                status.metadata_mut().insert(FIELD_METADATA, value);
            }
            status
        }
        Error::InvalidSetting(field) => invalid_field(field),
        Error::TooFewDecisions { .. } => Status::failed_precondition(error.to_string()),
        Error::Fit(_) => internal("weight fit", &error),
        Error::ImportRejected { .. }
        | Error::BadQuery { .. }
        | Error::SameSide { .. }
        | Error::AmbiguousName { .. }
        | Error::Mapping { .. }
        | Error::Sheet { .. } => Status::invalid_argument(error.to_string()),
        Error::NotFound(_) | Error::NoSuchName { .. } => Status::not_found(error.to_string()),
        Error::Cancelled => Status::cancelled(error.to_string()),
        Error::CorruptRecord { id, .. } => {
            // The message may quote stored values (contact data): log the id only.
            tracing::error!(record = %id, "corrupt record in the store");
            Status::data_loss(format!("corrupt record {id} in the store"))
        }
        Error::SchemaTooNew { .. } | Error::NoStore { .. } | Error::NothingToMatch { .. } => {
            Status::failed_precondition(error.to_string())
        }
        Error::Poisoned { what } => internal(what, &error),
        Error::Store(e) => internal("store", e),
        Error::Io { .. } => internal("i/o", &error),
        Error::ThreadPool(e) => internal("thread pool", e),
        Error::Index(e) => internal("search index", e),
        Error::IndexUnusable { .. } => internal("search index", &error),
        Error::SheetWrite(_) => internal("workbook", &error),
        Error::DataDirInUse { .. } => Status::failed_precondition(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_lock_is_an_internal_error_not_the_callers() {
        let status = from_engine(Error::Poisoned { what: "store" });
        assert_eq!(status.code(), tonic::Code::Internal);
        assert!(
            !status.message().contains("poison"),
            "no internals: {status:?}"
        );
    }

    #[test]
    fn long_messages_are_cut_keeping_code_and_field() {
        let problems = (0..500)
            .map(|i| FieldError::new(format!("exclude[{i}]"), "Nullepart-sur-Mer", "inconnu"))
            .collect();
        let status = from_engine(Error::SpecRejected { problems });
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        assert!(status.message().len() < MAX_MESSAGE_BYTES + 40);
        assert!(status.message().ends_with("(message tronqué)"));
        assert_eq!(status.metadata().get(FIELD_METADATA).unwrap(), "exclude[0]");
        let accents = bounded(Status::invalid_argument("é".repeat(2000)));
        assert!(accents.message().ends_with("(message tronqué)"));
    }
}
