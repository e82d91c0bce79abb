//! stackc: a typed, validated, explainable compiler for OpenStack-on-Kubernetes
//! sites.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! load -> validate -> resolve -> render -> emit
//!                        \-> explain, graph      render -> diff
//! ```
//!
//! See ARCHITECTURE.md for the bird's-eye view and the invariants.

pub mod cli;
pub mod context;
pub mod decode;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod explain;
pub mod git;
pub mod graph;
pub mod image;
pub mod init;
pub mod library;
pub mod load;
pub mod model;
pub mod progress;
pub mod render;
pub mod resolve;
pub mod secret;
pub mod source;
pub mod template;
pub mod validate;
pub mod values_output;
pub mod yaml;
