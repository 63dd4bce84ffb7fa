//! `passerelle`: the command line of Passerelle.

use std::process::ExitCode;

use clap::Parser;
use passerelle::cli;

fn main() -> ExitCode {
    match cli::run(cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
