//! Passerelle's integration tests: one binary, one module per capability.

mod assises;
mod batch_grpc;
mod cli;
mod cli_learning;
mod console;
mod console_batch;
mod console_interest;
mod console_pages;
mod console_server;
mod cross_product;
mod demo_corpus;
mod grpc;
mod grpc_bad_input;
mod grpc_decode;
mod grpc_harness;
mod grpc_interest;
mod grpc_roles;
mod import_policy;
mod layering;
mod pairing;
mod ranking_golden;
mod search_relevance;
mod sheets;
mod store_round_trip;
