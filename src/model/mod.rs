//! The typed site model: what a valid site file means.
//!
//! These structs and `schemas/site.schema.json` describe the same format; a
//! test proves they accept and reject the same documents.

mod kubernetes;
mod site;
mod types;

pub use kubernetes::*;
pub use types::*;

pub use site::*;
