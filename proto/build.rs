//! Compiles `passerelle/v1/*.proto` with the vendored protoc (no system install) and
//! writes the file descriptor set that server reflection serves.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "passerelle/v1/fiche.proto",
    "passerelle/v1/fiche_service.proto",
    "passerelle/v1/match_service.proto",
    "passerelle/v1/review_service.proto",
    "passerelle/v1/batch_service.proto",
    "passerelle/v1/interest_service.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    let descriptor = PathBuf::from(std::env::var("OUT_DIR")?).join("passerelle_descriptor.bin");
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    tonic_prost_build::configure()
        .file_descriptor_set_path(descriptor)
        .compile_with_config(config, PROTOS, &["."])?;
    Ok(())
}
