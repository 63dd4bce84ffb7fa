//! # passerelle (service crate)
//!
//! The `passerelle` binary's code: the command line ([`cli`]), the gRPC server
//! ([`server`]) and the staff web console it also serves ([`console`]). The only
//! crate that knows gRPC or HTTP; business logic stays in the engine.

pub mod cli;
pub mod console;
pub mod server;
