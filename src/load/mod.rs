//! Stage 1, load: file bytes -> registered source -> one YAML document.
//!
//! Enforces the input limits (size, UTF-8, document count) and turns YAML
//! reader errors into located diagnostics. Nothing here knows about sites.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Files, Layer, SourceFile, Span};
use crate::yaml::{self, Node, ParseErrorKind};

/// The largest input file stackc reads.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a file into `files`, enforcing the size limit and UTF-8.
pub fn read_file(path: &Path, layer: Layer, files: &mut Files) -> Result<FileId, Diagnostic> {
    let bytes = read_bytes(path)?;
    add_bytes(path.display().to_string(), bytes, layer, files)
}

/// Reads a file's bytes, enforcing the size limit.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    let display = path.display().to_string();
    let io_err = |e: std::io::Error| {
        Diagnostic::at_path(
            Code::Io,
            &display,
            format!("cannot read file: {}", io_reason(&e)),
        )
        .help("check the path and that the file is readable")
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.is_dir() {
        return Err(
            Diagnostic::at_path(Code::Io, &display, "is a directory, not a file").help(
                "pass a YAML file (a directory is accepted where a command takes several sites)",
            ),
        );
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(&display));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(&display));
    }
    Ok(bytes)
}

/// Registers in-memory bytes (embedded library files, git blobs).
pub fn add_bytes(
    name: String,
    bytes: Vec<u8>,
    layer: Layer,
    files: &mut Files,
) -> Result<FileId, Diagnostic> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(files.add(SourceFile::new(name, text, layer))),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let id = files.add(SourceFile::new(name, text, layer));
            Err(Diagnostic::error(
                Code::NotUtf8,
                Span::new(id, valid, valid + 1),
                "file is not valid UTF-8 text",
            )
            .label("invalid byte here")
            .help("save the file as UTF-8 (YAML files must be UTF-8 encoded)"))
        }
    }
}

/// The error for an input over [`MAX_FILE_BYTES`].
pub fn too_large(display: &str) -> Diagnostic {
    Diagnostic::at_path(
        Code::TooLarge,
        display,
        format!(
            "file is larger than the {} MiB limit",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
    .help("site and library files are small YAML documents; move bulk data out of the file")
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Parses every document of a registered file, with diagnostics for
/// syntax errors, duplicate keys and limits.
pub fn parse_all(id: FileId, files: &Files) -> (Vec<Node>, Vec<Diagnostic>) {
    parse_source(id, files.get(id))
}

/// `parse_all` for a source held outside `Files`.
fn parse_source(id: FileId, source: &SourceFile) -> (Vec<Node>, Vec<Diagnostic>) {
    let parsed = yaml::parse_stream(id, source);
    // Where the secret values are, for redacting diagnostics (by the
    // secret rule, with no exemption for INI sections: redaction may hide
    // more than validation rejects, never less).
    let mut secrets = crate::source::Secrets::default();
    for doc in parsed.docs.iter().chain(&parsed.partial) {
        for f in crate::secret::find(doc, &|_| false) {
            let (start, end) = (f.node.span.start, f.node.span.end);
            // A URL keeps all but its password visible, where the text
            // shows where it is.
            let parts = match f.why {
                crate::secret::Why::UrlCredentials => {
                    crate::secret::text_ranges(source.slice(f.node.span))
                }
                _ => Vec::new(),
            };
            if parts.is_empty() {
                secrets.spans.push((start, end));
            }
            for (s, e) in parts {
                secrets.spans.push((start + s as u32, start + e as u32));
            }
            secrets.values.push(match &f.node.value {
                crate::yaml::Value::String(s) => s.clone(),
                _ => source.slice(f.node.span).to_string(),
            });
        }
    }
    source.set_secrets(secrets);
    let diags = parsed.errors.into_iter().map(parse_diagnostic).collect();
    (parsed.docs, diags)
}

/// Parses a file that must hold exactly one document.
pub fn parse_one(id: FileId, files: &Files) -> (Option<Node>, Vec<Diagnostic>) {
    parse_one_source(id, files.get(id))
}

/// `parse_one` for a source held outside `Files` (a library definition
/// parsed on first use).
pub fn parse_one_source(id: FileId, source: &SourceFile) -> (Option<Node>, Vec<Diagnostic>) {
    let (mut docs, mut diags) = parse_source(id, source);
    if diags
        .iter()
        .any(|d| d.is_error() && d.code != Code::DuplicateKey)
    {
        return (None, diags);
    }
    match docs.len() {
        1 => (docs.pop(), diags),
        0 => {
            diags.push(
                Diagnostic::error(
                    Code::DocumentCount,
                    Span::file_start(id),
                    "file holds no YAML document",
                )
                .label("empty")
                .help("write the site description here; `stackc schema` prints the format"),
            );
            (None, diags)
        }
        _ => {
            diags.push(
                Diagnostic::error(
                    Code::DocumentCount,
                    docs[1].span,
                    "file holds more than one YAML document",
                )
                .label("second document starts here")
                .help("put each site in its own file"),
            );
            (None, diags)
        }
    }
}

fn parse_diagnostic(e: yaml::ParseError) -> Diagnostic {
    match e.kind {
        ParseErrorKind::Syntax => Diagnostic::error(Code::Syntax, e.span, e.message)
            .label("here")
            .help("check indentation, quotes and brackets around this point"),
        ParseErrorKind::DuplicateKey { first } => {
            Diagnostic::error(Code::DuplicateKey, e.span, e.message)
                .label("duplicate")
                .with_secondary(first, "first defined here")
                .help("remove one of the two entries; YAML keys must be unique in a map")
        }
        ParseErrorKind::TooDeep => Diagnostic::error(Code::TooComplex, e.span, e.message)
            .label("too deep")
            .help("site files are shallow; this input is not a site description"),
        ParseErrorKind::TooManyNodes | ParseErrorKind::TooMuchText => {
            Diagnostic::error(Code::TooComplex, e.span, e.message)
                .label("expansion limit reached here")
                .help("avoid deeply repeated aliases (`*name`); write the values out")
        }
        ParseErrorKind::UnsupportedTag(_)
        | ParseErrorKind::ComplexKey
        | ParseErrorKind::UnknownAlias => {
            Diagnostic::error(Code::UnsupportedYaml, e.span, e.message)
                .label("here")
                .help("use plain YAML: string keys, no custom tags")
        }
    }
}

/// Expands command-line site arguments: files as given, directories to
/// their `*.yaml` / `*.yml` files in name order.
pub fn expand_site_args(args: &[PathBuf]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    for arg in args {
        if arg.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(arg)
                .map_err(|e| {
                    Diagnostic::at_path(
                        Code::Io,
                        arg.display().to_string(),
                        format!("cannot read directory: {e}"),
                    )
                    .help("check the path and its permissions")
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                })
                .collect();
            if found.is_empty() {
                return Err(Diagnostic::at_path(
                    Code::Io,
                    arg.display().to_string(),
                    "directory holds no site files",
                )
                .help("a site directory holds one `<site>.yaml` file per site"));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(arg.clone());
        }
    }
    Ok(out)
}
