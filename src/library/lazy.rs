//! Library files parsed on first use.
//!
//! Definitions are read when the library loads; values files and chart key
//! indexes (most of the library's bytes) only when a command needs them, so
//! `stackc validate` does not pay for parsing chart values.

use std::sync::OnceLock;

use super::keys::ChartKeys;
use super::values::ValuesFile;
use crate::diagnostic::Diagnostic;
use crate::load;
use crate::source::{FileId, Files, Layer};

/// A values file, parsed when first asked for.
#[derive(Debug)]
pub struct LazyValues {
    pub file: FileId,
    cell: OnceLock<Result<ValuesFile, Vec<Diagnostic>>>,
}

impl LazyValues {
    pub fn new(file: FileId) -> LazyValues {
        LazyValues {
            file,
            cell: OnceLock::new(),
        }
    }

    pub fn get(&self, files: &Files) -> Result<&ValuesFile, &[Diagnostic]> {
        self.cell
            .get_or_init(|| {
                let (doc, diags) = load::parse_one(self.file, files);
                match doc {
                    Some(doc) if diags.is_empty() => {
                        let release = matches!(files.get(self.file).layer, Layer::Release(_));
                        ValuesFile::from_doc(self.file, doc, release).map_err(|d| vec![d])
                    }
                    _ => Err(diags),
                }
            })
            .as_ref()
            .map_err(Vec::as_slice)
    }
}

/// A chart key index, parsed when first asked for (any text is an index).
#[derive(Debug)]
pub struct LazyKeys {
    pub file: FileId,
    cell: OnceLock<ChartKeys>,
}

impl LazyKeys {
    pub fn new(file: FileId) -> LazyKeys {
        LazyKeys {
            file,
            cell: OnceLock::new(),
        }
    }

    pub fn get(&self, files: &Files) -> &ChartKeys {
        self.cell
            .get_or_init(|| ChartKeys::parse(&files.get(self.file).text))
    }
}
