//! # passerelle (service crate)
//!
//! The `passerelle` binary's code: the command line ([`cli`]) and, in its own issue,
//! the gRPC server. The only crate that will know gRPC; business logic stays in the
//! engine.

pub mod cli;
