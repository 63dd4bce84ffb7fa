//! `passerelle`: the command line of Passerelle.

use std::process::ExitCode;

use clap::Parser;
use passerelle::cli;

/// mimalloc rather than the system's allocator: the corpus is hundreds of thousands
/// of small strings, allocated and freed from several threads at once (decoding the
/// store, building the matcher and the name table, explaining suggestions), where
/// glibc's malloc spent a fifth of a start in its own bookkeeping.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::run(cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
