//! `passerelle serve`: the gRPC server (see `server`), configured from a TOML file,
//! `PASSERELLE_…` environment variables and flags (flags win over the environment,
//! which wins over the file).

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use passerelle_engine::Corpus;
use passerelle_engine::corpus::{Freshness, Policy};
use passerelle_engine::store::permissions;

use crate::server::config::{self, FileConfig, LogFormat};
use crate::server::{ServerConfig, State, StateOptions};

/// The data directory when none is given (the global `--data-dir` default).
const DEFAULT_DATA_DIR: &str = "./passerelle-data";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Configuration file (TOML): listen, data_dir, tokens, tls, log_format, metrics_listen.
    #[arg(long, env = "PASSERELLE_CONFIG")]
    config: Option<PathBuf>,
    /// gRPC address (default 127.0.0.1:50051; port 0 picks a free one).
    #[arg(long, env = "PASSERELLE_LISTEN")]
    listen: Option<SocketAddr>,
    /// Start with an empty store instead of loading the demo corpus into an empty one.
    #[arg(long)]
    empty: bool,
    /// Serve Prometheus metrics on http://ADDR/metrics.
    #[arg(long, env = "PASSERELLE_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// Log format on standard error.
    #[arg(long, env = "PASSERELLE_LOG_FORMAT", value_enum)]
    log_format: Option<LogFormatArg>,
    /// PEM certificate chain, to serve TLS (with --tls-key).
    #[arg(long, env = "PASSERELLE_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// PEM private key, to serve TLS (with --tls-cert).
    #[arg(long, env = "PASSERELLE_TLS_KEY")]
    tls_key: Option<PathBuf>,
    /// API tokens as name:role:token items separated by commas (added to the file's).
    #[arg(long, env = "PASSERELLE_TOKENS", hide_env_values = true)]
    tokens: Option<String>,
    /// Judge calls and LDC status on this date (default: today).
    #[arg(long, env = "PASSERELLE_TODAY")]
    date: Option<NaiveDate>,
    /// Scoring threads (0: one per core).
    #[arg(long, env = "PASSERELLE_THREADS")]
    threads: Option<usize>,
    /// Default criterion weights: a weights file (`passerelle tune` writes one).
    #[arg(long, env = "PASSERELLE_WEIGHTS")]
    weights: Option<PathBuf>,
    /// Added to a pair's total per side that said "interested" (0 to 0.5; default 0.05).
    #[arg(long, env = "PASSERELLE_INTEREST_BONUS")]
    interest_bonus: Option<f64>,
    /// Fiches last updated more than this many months ago are « à reconfirmer »
    /// (default 12).
    #[arg(long, env = "PASSERELLE_MAX_AGE_MONTHS")]
    max_age_months: Option<u32>,
    /// Tile server URL template for the console's map ({z}/{x}/{y}); off by default.
    #[arg(long, env = "PASSERELLE_TILE_URL")]
    tile_url: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormatArg {
    Text,
    Json,
}

/// Everything `serve` needs, validated.
#[derive(Debug)]
struct Settings {
    listen: SocketAddr,
    data_dir: PathBuf,
    log_format: LogFormat,
    metrics_listen: Option<SocketAddr>,
    state: StateOptions,
    server: ServerConfig,
    empty: bool,
}

/// With no token configured, `serve` still starts, for one user on this machine: an
/// admin token is generated once, kept in `<data-dir>/admin-token` (readable by the
/// owner only) and its path printed. Deployments configure `[[tokens]]` instead.
fn local_admin_token(data_dir: &Path) -> anyhow::Result<config::TokenEntry> {
    let path = data_dir.join("admin-token");
    // A token others can read is no secret: refuse it rather than serve with it.
    if let Some(exposed) = permissions::exposed(&path)? {
        anyhow::bail!("refusing the admin token: {exposed}, or delete it to get a new one");
    }
    let token = match std::fs::read_to_string(&path) {
        Ok(token) => token.trim().to_owned(),
        Err(_) => {
            let mut random = [0u8; 16];
            std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom")?, &mut random)
                .context("cannot draw a random token")?;
            let token: String = random.iter().map(|b| format!("{b:02x}")).collect();
            // Created 0600 under a temporary name, then renamed: never readable by
            // others, not even for a moment.
            permissions::create_private_dir(data_dir)?;
            permissions::write_secret_file(&path, format!("{token}\n").as_bytes())?;
            token
        }
    };
    eprintln!(
        "passerelle: no API tokens configured; the admin token is in {} (send it as `authorization: Bearer <token>`)",
        path.display()
    );
    Ok(config::TokenEntry {
        name: "local-admin".into(),
        token,
        role: crate::server::auth::Role::Admin,
        fiches: Vec::new(),
        fiche_prefix: None,
    })
}

fn read_pem(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the TLS {what} {}", path.display()))?;
    if !String::from_utf8_lossy(&bytes).contains("-----BEGIN ") {
        anyhow::bail!("the TLS {what} {} is not PEM", path.display());
    }
    Ok(bytes)
}

fn settings(data_dir: &Path, args: ServeArgs) -> anyhow::Result<Settings> {
    let file = match &args.config {
        Some(path) => FileConfig::read(path)?,
        None => FileConfig::default(),
    };
    let policy = policy(
        &args.weights,
        args.interest_bonus,
        args.max_age_months,
        &file,
    )?;
    let data_dir = match (&file.data_dir, data_dir == Path::new(DEFAULT_DATA_DIR)) {
        (Some(from_file), true) => from_file.clone(),
        _ => data_dir.to_owned(),
    };
    let mut entries = file.tokens.clone();
    if let Some(list) = &args.tokens {
        entries.extend(config::parse_token_list(list)?);
    }
    if entries.is_empty() {
        entries.push(local_admin_token(&data_dir)?);
    }
    let tokens = config::tokens(&entries)?;
    let tls = match (
        args.tls_cert.or(file.tls.as_ref().map(|t| t.cert.clone())),
        args.tls_key.or(file.tls.as_ref().map(|t| t.key.clone())),
    ) {
        (Some(cert), Some(key)) => Some((read_pem(&cert, "certificate")?, read_pem(&key, "key")?)),
        (None, None) => None,
        _ => anyhow::bail!("TLS needs both a certificate and a key (tls.cert, tls.key)"),
    };
    let log_format = match args.log_format {
        Some(LogFormatArg::Text) => LogFormat::Text,
        Some(LogFormatArg::Json) => LogFormat::Json,
        None => file.log_format.unwrap_or_default(),
    };
    let mut server = ServerConfig::new(tokens);
    server.tls = tls;
    server.request_timeout = file.request_timeout_secs.map(Duration::from_secs);
    if let Some(grace) = file.shutdown_grace_secs {
        server.shutdown_grace = Duration::from_secs(grace);
    }
    server.console.tile_url = args.tile_url.or(file.tile_url);
    if let Some(url) = &server.console.tile_url {
        crate::console::tile_origin(url).map_err(|e| anyhow::anyhow!("{e}: {url:?}"))?;
    }
    Ok(Settings {
        listen: args
            .listen
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 50051))),
        data_dir,
        log_format,
        metrics_listen: args.metrics_listen.or(file.metrics_listen),
        state: StateOptions {
            today: args.date.or(file.today),
            threads: args.threads.or(file.threads).unwrap_or(0),
            writer: Some("passerelle serve"),
            policy,
        },
        server,
        empty: args.empty,
    })
}

/// The suggestions' settings: flags, then the configuration file, then the defaults
/// (the corpus checks their ranges when it opens, naming the setting).
fn policy(
    weights: &Option<PathBuf>,
    interest_bonus: Option<f64>,
    max_age_months: Option<u32>,
    file: &FileConfig,
) -> anyhow::Result<Policy> {
    let defaults = Policy::default();
    Ok(Policy {
        weights: match weights.as_ref().or(file.weights.as_ref()) {
            Some(path) => super::matching::read_weights(path)?,
            None => defaults.weights,
        },
        interest_bonus: interest_bonus
            .or(file.interest_bonus)
            .unwrap_or(defaults.interest_bonus),
        freshness: Freshness {
            max_age_months: max_age_months
                .or(file.max_age_months)
                .unwrap_or(defaults.freshness.max_age_months),
            suggest_stale: file
                .suggest_stale
                .unwrap_or(defaults.freshness.suggest_stale),
        },
    })
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

fn install_metrics(addr: SocketAddr) -> anyhow::Result<()> {
    const BUCKETS: &[f64] = &[
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ];
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .with_http_listener(addr)
        .set_buckets(BUCKETS)?
        .install()
        .with_context(|| format!("cannot serve metrics on {addr}"))?;
    tracing::info!(%addr, "Prometheus metrics on http://{addr}/metrics");
    Ok(())
}

/// Opens (or creates) the corpus, loading the demo corpus into an empty store
/// (unless `empty`).
fn open_corpus(data_dir: &Path, empty: bool, options: &StateOptions) -> anyhow::Result<Corpus> {
    let corpus = Corpus::create_or_open(data_dir, options)?;
    for exposed in permissions::exposed_paths(data_dir)? {
        tracing::warn!("personal data at risk: {exposed}");
    }
    if empty || corpus.count()? > 0 {
        return Ok(corpus);
    }
    let started = Instant::now();
    tracing::info!("empty store: generating the demo corpus");
    let fiches = passerelle_datasets::generate_demo_corpus(passerelle_datasets::DEFAULT_SEED)
        .context("cannot generate the demo corpus")?;
    corpus.upsert(&fiches)?;
    tracing::info!(
        fiches = fiches.len(),
        ms = started.elapsed().as_millis() as u64,
        "demo corpus stored"
    );
    Ok(corpus)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("interrupted"),
        () = terminate => tracing::info!("terminated (SIGTERM)"),
    }
}

/// After the server returns, how long the runtime waits for its tasks and blocking
/// threads before the process ends regardless.
const RUNTIME_SHUTDOWN: Duration = Duration::from_secs(1);
/// Then, how long closing the data directory may take.
const CLOSING: Duration = Duration::from_secs(5);

pub fn run(data_dir: &Path, args: ServeArgs) -> anyhow::Result<()> {
    let settings = settings(data_dir, args)?;
    init_logging(settings.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("passerelle-grpc")
        .build()?;
    let served = runtime.block_on(async move {
        if let Some(addr) = settings.metrics_listen {
            install_metrics(addr)?;
        }
        let started = Instant::now();
        let (dir, empty, options) = (settings.data_dir.clone(), settings.empty, settings.state);
        let state = tokio::task::spawn_blocking(move || {
            let corpus = open_corpus(&dir, empty, &options)?;
            anyhow::Ok(State::new(corpus)?)
        })
        .await??;
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let addr = listener.local_addr()?;
        tracing::info!(
            %addr,
            fiches = state.corpus().count()?,
            data_dir = %settings.data_dir.display(),
            tls = settings.server.tls.is_some(),
            start_ms = started.elapsed().as_millis() as u64,
            "serving gRPC"
        );
        eprintln!("passerelle: listening on {addr}");
        let scheme = if settings.server.tls.is_some() {
            "https"
        } else {
            "http"
        };
        eprintln!(
            "passerelle: staff console on {scheme}://{addr}{}",
            crate::console::CONSOLE_PATH
        );
        let state = Arc::new(state);
        let served =
            crate::server::serve(listener, state.clone(), settings.server, shutdown_signal()).await;
        served.map(|()| state)
    });
    // Blocking work still running (a long batch run, a call past the grace period)
    // is not waited for: the process ends, and a batch run left running is marked
    // failed at the next start. Committed writes are durable; an unfinished one is
    // rolled back by SQLite when the store is next opened.
    runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
    close(served?);
    Ok(())
}

/// Closes the corpus (its search index commits what is pending, so the next start
/// need not rebuild it), waiting at most [`CLOSING`]: past it the process ends and
/// the index is rebuilt at the next start. Work abandoned on blocking threads may
/// still hold the corpus: then it is not closed at all.
fn close(state: Arc<State>) {
    let (closed, done) = std::sync::mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        drop(state);
        let _ = closed.send(());
    });
    match done.recv_timeout(CLOSING) {
        Ok(()) => tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            "data directory closed"
        ),
        Err(_) => tracing::warn!(
            secs = CLOSING.as_secs(),
            "the data directory was not closed in time; the search index is rebuilt at the next start"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_admin_token_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = local_admin_token(dir.path()).unwrap();
        let again = local_admin_token(dir.path()).unwrap();
        assert_eq!(first.token, again.token);
        assert_eq!(first.token.len(), 32);
        assert!(config::tokens(&[first]).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("admin-token"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
