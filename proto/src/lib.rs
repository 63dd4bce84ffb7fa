//! # passerelle-proto
//!
//! The gRPC API of Passerelle: the `.proto` files under `passerelle/v1/` (package
//! `passerelle.v1`) and the Rust code generated from them. Only the service crate
//! depends on this one; the engine knows nothing of protobuf.

/// Package `passerelle.v1`.
pub mod v1 {
    tonic::include_proto!("passerelle.v1");
}

/// The encoded `FileDescriptorSet` of every file, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("passerelle_descriptor");
