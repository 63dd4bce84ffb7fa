//! # passerelle (service crate)
//!
//! The `passerelle` binary's code: the command line ([`cli`]) and the gRPC server
//! ([`server`]). The only crate that knows gRPC; business logic stays in the engine.

pub mod cli;
pub mod server;
