//! The engine's one error type.

use std::path::PathBuf;

use crate::fiche::{FicheId, FieldError};
use crate::jsonl::LineProblem;

/// Everything that can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An import was rejected as a whole: nothing of it was written.
    #[error("import refusé, rien n'a été écrit : {} problème(s){}\n{}", .problems.len() + .more, more_suffix(*.more), list(.problems))]
    ImportRejected {
        problems: Vec<LineProblem>,
        /// Problems found beyond those listed.
        more: usize,
    },
    /// A fiche given directly (not from a file) breaks a rule.
    #[error("fiche invalide : {0}")]
    InvalidFiche(#[from] crate::fiche::FieldError),
    #[error("aucune fiche d'identifiant {0}")]
    NotFound(FicheId),
    #[error("erreur d'entrée-sortie sur {path} : {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "la base de {path} est au schéma {found} ; cette version de passerelle connaît jusqu'au {known} : mettez passerelle à jour"
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("base de données : {0}")]
    Store(#[from] rusqlite::Error),
    #[error("fiche {id} corrompue dans la base : {message}")]
    CorruptRecord { id: String, message: String },
    #[error("impossible de démarrer les fils de calcul : {0}")]
    ThreadPool(#[from] rayon::ThreadPoolBuildError),
    #[error("index de recherche : {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("l'index de recherche de {path} est inutilisable : {reason}")]
    IndexUnusable { path: PathBuf, reason: String },
    #[error("recherche invalide : {message}")]
    BadQuery { message: String },
    #[error("aucune collectivité ne s'appelle « {query} »{}", suggestions_suffix(.suggestions))]
    NoSuchName {
        query: String,
        /// The closest names, as `id  name (country, admin)`.
        suggestions: Vec<String>,
    },
    #[error("la session a été annulée")]
    Cancelled,
    /// A batch spec breaks a rule (bounds, weights, slots).
    #[error("session invalide : {0}")]
    InvalidSpec(FieldError),
    /// An error about one field of a request (a name in a scope, an excluded pair).
    #[error("champ `{field}` : {source}")]
    Field {
        field: String,
        #[source]
        source: Box<Error>,
    },
    #[error("aucune session {0}")]
    /// A batch run id that does not exist.
    NoSuchRun(u64),
    #[error("la session {id} est {status} : seule une session terminée a des résultats")]
    RunNotDone { id: u64, status: String },
    #[error("la session {id} est déjà {status}")]
    RunFinished { id: u64, status: String },
    #[error("« {query} » désigne plusieurs collectivités : donnez un identifiant, ou précisez le nom comme indiqué :\n{}", indented(.candidates))]
    AmbiguousName {
        query: String,
        /// Each as `id  name (country, admin)  → « qualified name »`.
        candidates: Vec<String>,
    },
    /// A read on a data directory that holds no store: only `import`, `demo` and
    /// `serve` create one.
    #[error(
        "{path} ne contient pas de base Passerelle : créez-la avec `passerelle import`, `passerelle demo` ou `passerelle serve`, ou indiquez un autre --data-dir"
    )]
    NoStore { path: PathBuf },
    /// A lock was poisoned by a panic in another thread: an internal error, never the
    /// caller's fault.
    #[error("erreur interne : état partagé corrompu par une panique antérieure ({what})")]
    Poisoned { what: &'static str },
    /// A pair of fiches of the same side: only French × foreign pairs are scored.
    #[error(
        "{a} et {b} sont toutes deux {}s : seules les paires d'une collectivité française et d'une collectivité étrangère sont évaluées",
        .side.label()
    )]
    SameSide {
        a: FicheId,
        b: FicheId,
        side: crate::fiche::Side,
    },
    /// Suggestions asked for a fiche with neither offer nor request: it is valid
    /// (stored, searched, exported) but has nothing to match.
    #[error(
        "« {name} » ({id}) n'a ni offre ni demande : elle n'est pas suggérée et ne reçoit pas de suggestions ; ajoutez à sa fiche une offre ou une demande (thèmes ou texte)"
    )]
    NothingToMatch { id: FicheId, name: String },
    /// A spreadsheet mapping file (TOML) that cannot be used.
    #[error("fichier de correspondance {file} invalide : {message}")]
    Mapping { file: String, message: String },
    /// A spreadsheet that cannot be read at all (not a problem of one of its rows).
    #[error("tableur {file} illisible : {message}")]
    Sheet { file: String, message: String },
    /// A workbook could not be written.
    #[error("écriture du classeur impossible : {0}")]
    SheetWrite(String),
    /// A batch spec with one or more problems, all reported.
    #[error("session refusée : {} problème(s)\n{}", .problems.len(), indented_fields(.problems))]
    SpecRejected { problems: Vec<FieldError> },
    /// A value of a request (not a fiche) breaks a rule: a name too long to look up.
    #[error("requête invalide : {0}")]
    InvalidRequest(FieldError),
    /// Too few staff decisions to fit weights on: `accepted` and `rejected` pairs
    /// judged, where a fit needs `min_total` together and `min_each` of each.
    #[error(
        "trop peu de décisions pour ajuster les poids : il en faut au moins {min_total} d'acceptation ou de rejet, dont {min_each} de chaque ; il y en a {} ({accepted} acceptées, {rejected} rejetées)",
        .accepted + .rejected
    )]
    TooFewDecisions {
        accepted: usize,
        rejected: usize,
        min_total: usize,
        min_each: usize,
    },
    /// The weights could not be fitted.
    #[error("ajustement des poids : {0}")]
    Fit(String),
    /// A setting of the corpus (configuration, flags) is out of range.
    #[error("réglage invalide : {0}")]
    InvalidSetting(FieldError),
    /// Another process writes to the data directory (see `store::DataDirLock`).
    #[error(
        "le dossier de données {} est utilisé par {holder} : arrêtez ce processus d'abord, ou choisissez un autre dossier de données",
        .path.display()
    )]
    DataDirInUse {
        path: PathBuf,
        /// `process 1234 (passerelle serve)`, or what is known of it.
        holder: String,
    },
}

fn indented_fields(problems: &[FieldError]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn suggestions_suffix(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" ; les plus proches :\n{}", indented(suggestions))
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
        format!(" ({more} non listés)")
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
