//! The engine's one error type.

use std::path::PathBuf;

use crate::fiche::{FicheId, FieldError};
use crate::jsonl::LineProblem;
use crate::store::RunId;

/// Everything that can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An import was rejected as a whole: nothing of it was written.
    #[error("import rejected, nothing was written: {} problem(s){}\n{}", .problems.len() + .more, more_suffix(*.more), list(.problems))]
    ImportRejected {
        problems: Vec<LineProblem>,
        /// Problems found beyond those listed.
        more: usize,
    },
    /// A fiche given directly (not from a file) breaks a rule.
    #[error("invalid fiche: {0}")]
    InvalidFiche(#[from] crate::fiche::FieldError),
    #[error("no fiche with id {0}")]
    NotFound(FicheId),
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the store in {path} has schema version {found}; this build knows up to {known}: upgrade passerelle"
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("store: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("corrupt fiche {id} in the store: {message}")]
    CorruptRecord { id: String, message: String },
    #[error("cannot start the ranking thread pool: {0}")]
    ThreadPool(#[from] rayon::ThreadPoolBuildError),
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index in {path} is unusable: {reason}")]
    IndexUnusable { path: PathBuf, reason: String },
    #[error("bad search query: {message}")]
    BadQuery { message: String },
    #[error("no collectivité named {query:?}{}", suggestions_suffix(.suggestions))]
    NoSuchName {
        query: String,
        /// The closest names, as `id  name (country, admin)`.
        suggestions: Vec<String>,
    },
    #[error("the run was cancelled")]
    Cancelled,
    /// A batch spec breaks a rule (bounds, weights, slots).
    #[error("invalid batch spec: {0}")]
    InvalidSpec(FieldError),
    /// An error about one field of a request (a name in a scope, an excluded pair).
    #[error("field `{field}`: {source}")]
    Field {
        field: String,
        #[source]
        source: Box<Error>,
    },
    #[error("no batch run {0}")]
    NoSuchRun(RunId),
    #[error("batch run {id} is {status}: only a done run has results")]
    RunNotDone { id: RunId, status: String },
    #[error("batch run {id} is already {status}")]
    RunFinished { id: RunId, status: String },
    #[error("{query:?} names several collectivités, give an id or a country:\n{}", indented(.candidates))]
    AmbiguousName {
        query: String,
        /// Each as `id  name (country, admin)`.
        candidates: Vec<String>,
    },
    /// A value of a request (not a fiche) breaks a rule: a name too long to look up.
    #[error("invalid request: {0}")]
    InvalidRequest(FieldError),
    /// Another process writes to the data directory (see `store::DataDirLock`).
    #[error(
        "the data directory {} is in use by {holder}: stop it first, or use another data directory",
        .path.display()
    )]
    DataDirInUse {
        path: PathBuf,
        /// `process 1234 (passerelle serve)`, or what is known of it.
        holder: String,
    },
}

fn suggestions_suffix(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; closest:\n{}", indented(suggestions))
    }
}

fn indented(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn more_suffix(more: usize) -> String {
    if more == 0 {
        String::new()
    } else {
        format!(" ({more} not listed)")
    }
}

fn list(problems: &[LineProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
