//! The server's configuration: a TOML file (`--config FILE`), overridden by
//! `PASSERELLE_…` environment variables and flags, validated before the server starts.
//!
//! ```toml
//! listen = "127.0.0.1:50051"          # gRPC address
//! data_dir = "./passerelle-data"
//! log_format = "text"                 # or "json"
//! metrics_listen = "127.0.0.1:9464"   # Prometheus /metrics (optional)
//! today = "2026-09-01"                # date calls are judged on (optional)
//! threads = 0                         # scoring threads (0: one per core)
//! request_timeout_secs = 30           # optional upper bound on any call
//! tile_url = "https://tile.example.org/{z}/{x}/{y}.png"  # console map tiles (optional;
//!                                     # off by default: the map needs no internet)
//!
//! [tls]                               # optional
//! cert = "server.pem"
//! key = "server.key"
//!
//! [[tokens]]
//! name = "portail"
//! token = "…"                         # at least 16 characters
//! role = "portal"                     # portal | staff | admin
//! fiches = ["FR-COM-33063"]           # portal: whose contact data it may see
//! ```
//!
//! `PASSERELLE_TOKENS` adds tokens as `name:role:token` items separated by commas.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use passerelle_engine::fiche::FicheId;
use serde::Deserialize;

use super::auth::{Caller, Role, Tokens};

/// Shortest accepted token.
pub const MIN_TOKEN_CHARS: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsPaths {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    pub name: String,
    pub token: String,
    pub role: Role,
    #[serde(default)]
    pub fiches: Vec<String>,
}

/// The configuration file, every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub log_format: Option<LogFormat>,
    pub metrics_listen: Option<SocketAddr>,
    pub today: Option<NaiveDate>,
    pub threads: Option<usize>,
    pub request_timeout_secs: Option<u64>,
    pub tile_url: Option<String>,
    pub tls: Option<TlsPaths>,
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
}

impl FileConfig {
    pub fn read(path: &Path) -> anyhow::Result<FileConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("bad configuration {}", path.display()))
    }
}

/// `name:role:token,name:role:token` (from `PASSERELLE_TOKENS`).
pub fn parse_token_list(list: &str) -> anyhow::Result<Vec<TokenEntry>> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .enumerate()
        .map(|(i, item)| {
            let mut parts = item.splitn(3, ':');
            let (Some(name), Some(role), Some(token)) = (parts.next(), parts.next(), parts.next())
            else {
                bail!("PASSERELLE_TOKENS item {}: expected name:role:token", i + 1);
            };
            let role = match role {
                "portal" => Role::Portal,
                "staff" => Role::Staff,
                "admin" => Role::Admin,
                other => bail!(
                    "PASSERELLE_TOKENS item {} ({name}): unknown role {other:?} (portal, staff, admin)",
                    i + 1
                ),
            };
            Ok(TokenEntry {
                name: name.to_owned(),
                token: token.to_owned(),
                role,
                fiches: Vec::new(),
            })
        })
        .collect()
}

/// Checks the tokens (names and tokens unique, tokens long enough, fiche ids valid)
/// and builds the table the server authenticates with.
pub fn tokens(entries: &[TokenEntry]) -> anyhow::Result<Tokens> {
    if entries.is_empty() {
        bail!(
            "no API tokens configured: add [[tokens]] to the configuration or set PASSERELLE_TOKENS=name:role:token"
        );
    }
    let mut names = HashSet::new();
    let mut secrets = HashSet::new();
    let mut table = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let what = format!("token {} ({:?})", i + 1, entry.name);
        if entry.name.trim().is_empty() {
            bail!("token {}: `name` must not be empty", i + 1);
        }
        if !names.insert(entry.name.clone()) {
            bail!("{what}: the name is used twice");
        }
        if entry.token.chars().count() < MIN_TOKEN_CHARS {
            bail!("{what}: the token must have at least {MIN_TOKEN_CHARS} characters");
        }
        if entry
            .token
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            bail!("{what}: the token must not contain spaces or control characters");
        }
        if !secrets.insert(entry.token.clone()) {
            bail!("{what}: the same token is given twice");
        }
        let fiches = entry
            .fiches
            .iter()
            .map(|id| FicheId::parse(id).map_err(|e| anyhow::anyhow!("{what}: fiches: {e}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let caller = Caller {
            name: entry.name.clone(),
            role: entry.role,
            fiches,
        };
        table.push((entry.token.clone(), caller));
    }
    Ok(Tokens::new(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses() {
        let text = r#"
            listen = "127.0.0.1:50051"
            data_dir = "/var/lib/passerelle"
            log_format = "json"
            metrics_listen = "127.0.0.1:9464"
            today = "2026-09-01"
            [tls]
            cert = "server.pem"
            key = "server.key"
            [[tokens]]
            name = "portail"
            token = "0123456789abcdef"
            role = "portal"
            fiches = ["FR-COM-33063"]
        "#;
        let file: FileConfig = toml::from_str(text).unwrap();
        assert_eq!(file.log_format, Some(LogFormat::Json));
        assert_eq!(file.tokens[0].role, Role::Portal);
        assert_eq!(tokens(&file.tokens).unwrap().len(), 1);
    }

    #[test]
    fn bad_configurations_are_explained() {
        assert!(toml::from_str::<FileConfig>("listen = 'nowhere'").is_err());
        assert!(toml::from_str::<FileConfig>("colour = 'blue'").is_err());
        let err = tokens(&[]).unwrap_err().to_string();
        assert!(err.contains("no API tokens"), "{err}");
        let short = parse_token_list("a:staff:short").unwrap();
        let err = tokens(&short).unwrap_err().to_string();
        assert!(err.contains("at least 16"), "{err}");
        let err = parse_token_list("a:king:0123456789abcdef").unwrap_err();
        assert!(err.to_string().contains("unknown role"), "{err}");
        let twice = parse_token_list("a:staff:0123456789abcdef,b:admin:0123456789abcdef").unwrap();
        assert!(tokens(&twice).unwrap_err().to_string().contains("twice"));
    }
}
