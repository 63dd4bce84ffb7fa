//! The `--format` every listing command takes.

use clap::ValueEnum;

/// Text for people, JSON for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}
