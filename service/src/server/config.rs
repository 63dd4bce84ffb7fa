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
//! shutdown_grace_secs = 10            # after SIGTERM: time given to calls in flight
//!                                     # before the process ends regardless (default 10)
//! tile_url = "https://tile.example.org/{z}/{x}/{y}.png"  # console map tiles (optional;
//!                                     # off by default: the map needs no internet)
//! weights = "poids.toml"              # default criterion weights (a weights file, as
//!                                     # `passerelle tune` writes; optional)
//! interest_bonus = 0.05               # added per side that said "interested" (0 to 0.5)
//! max_age_months = 12                 # older fiches are « à reconfirmer » (1 to 120)
//! suggest_stale = true                # false: fiches to reconfirm are not suggested
//!
//! [tls]                               # optional
//! cert = "server.pem"
//! key = "server.key"
//!
//! [[tokens]]
//! name = "portail"
//! token = "…"                         # 16 to 256 characters
//! role = "portal"                     # portal | staff | admin
//! fiches = ["FR-COM-33063"]           # portal: the fiches it speaks for
//! fiche_prefix = "FR-COM-33"          # portal: and every fiche whose id starts so
//! ```
//!
//! A portal token writes (`UpsertFiches`, `UpsertFichesStream`) only the fiches it
//! speaks for — those of `fiches` and, for a portal acting for many collectivités,
//! those whose id starts with `fiche_prefix` — and sees their contact data; any other
//! fiche in a message is PERMISSION_DENIED and nothing of the message is written.
//! Staff and admin tokens write every fiche (and take neither key).
//!
//! `PASSERELLE_TOKENS` adds tokens as `name:role:token` items separated by commas
//! (a portal token given so speaks for no fiche: it reads, it does not write).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use passerelle_engine::fiche::FicheId;
use serde::Deserialize;

use super::auth::{Caller, Grant, MAX_TOKEN_BYTES, Role, Tokens};

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
    #[serde(default)]
    pub fiche_prefix: Option<String>,
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
    pub shutdown_grace_secs: Option<u64>,
    pub tile_url: Option<String>,
    pub weights: Option<PathBuf>,
    pub interest_bonus: Option<f64>,
    pub max_age_months: Option<u32>,
    pub suggest_stale: Option<bool>,
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
                fiche_prefix: None,
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
        if entry.token.len() > MAX_TOKEN_BYTES {
            bail!("{what}: the token must have at most {MAX_TOKEN_BYTES} bytes");
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
        if entry.role != Role::Portal && (!entry.fiches.is_empty() || entry.fiche_prefix.is_some())
        {
            bail!(
                "{what}: `fiches` and `fiche_prefix` are for portal tokens (staff and admin speak for every fiche)"
            );
        }
        let mut fiches = entry
            .fiches
            .iter()
            .map(|id| {
                FicheId::parse(id)
                    .map(Grant::Fiche)
                    .map_err(|e| anyhow::anyhow!("{what}: fiches: {e}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        if let Some(prefix) = &entry.fiche_prefix {
            check_prefix(prefix).map_err(|e| anyhow::anyhow!("{what}: fiche_prefix: {e}"))?;
            fiches.push(Grant::Prefix(prefix.clone()));
        }
        let caller = Caller {
            name: entry.name.clone(),
            role: entry.role,
            fiches,
        };
        table.push((entry.token.clone(), caller));
    }
    Ok(Tokens::new(table))
}

/// An id prefix names at least a country (`FR-`) and uses the id's characters only.
fn check_prefix(prefix: &str) -> anyhow::Result<()> {
    let bytes = prefix.as_bytes();
    let country =
        bytes.len() >= 3 && bytes[..2].iter().all(u8::is_ascii_uppercase) && bytes[2] == b'-';
    let alphabet = bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !country || !alphabet || bytes.len() > passerelle_engine::fiche::MAX_ID_LEN {
        bail!(
            "{prefix:?} is not the start of a fiche id (two capital letters, `-`, then letters, digits, `.`, `_` or `-`; e.g. FR-COM-33)"
        );
    }
    Ok(())
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

    #[test]
    fn a_fiche_prefix_is_checked_and_only_for_portals() {
        let entry = |role: &str, prefix: &str| {
            let mut entry = parse_token_list(&format!("a:{role}:0123456789abcdef")).unwrap();
            entry[0].fiche_prefix = Some(prefix.to_owned());
            tokens(&entry).map(|_| ()).map_err(|e| e.to_string())
        };
        assert!(entry("portal", "FR-COM-33").is_ok());
        assert!(entry("portal", "FR-").is_ok());
        for bad in [
            "",
            "F",
            "fr-COM",
            "FR",
            "FR COM",
            "FR-COM-33/",
            &"A".repeat(70),
        ] {
            let err = entry("portal", bad).unwrap_err();
            assert!(err.contains("fiche_prefix"), "{bad:?}: {err}");
        }
        assert!(entry("staff", "FR-").unwrap_err().contains("portal tokens"));
        let file: FileConfig = toml::from_str(
            "[[tokens]]\nname = 'p'\ntoken = '0123456789abcdef'\nrole = 'portal'\nfiche_prefix = 'FR-COM-33'\n",
        )
        .unwrap();
        assert_eq!(file.tokens[0].fiche_prefix.as_deref(), Some("FR-COM-33"));
        let long = parse_token_list(&format!("a:staff:{}", "x".repeat(300))).unwrap();
        assert!(
            tokens(&long)
                .unwrap_err()
                .to_string()
                .contains("at most 256")
        );
    }
}
