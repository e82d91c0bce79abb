//! Source files and byte spans.
//!
//! Every piece of YAML stackc reads (site files, library files, layers) is
//! registered in a [`Files`] arena and addressed by a [`FileId`]. A [`Span`]
//! is a byte range inside one file; it is how diagnostics point at the exact
//! key or value and how resolved values remember where they came from.

use std::sync::{Arc, OnceLock};

/// Index of a file in a [`Files`] arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    /// A zero-width span at the start of a file, for whole-file problems.
    pub fn file_start(file: FileId) -> Span {
        Span {
            file,
            start: 0,
            end: 0,
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The same start with another length.
    pub fn with_len(self, len: usize) -> Span {
        Span {
            end: self.start + len as u32,
            ..self
        }
    }
}

/// Where a file sits in the resolution order; shown by `explain` and `diff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layer {
    /// The site file itself (`spec`, and `services.<name>.values`).
    Site,
    /// A component's defaults in the library.
    Component(String),
    /// A component's `site.yaml`: values derived from the site spec.
    SiteMapping(String),
    /// A release's data in the library.
    Release(String),
    /// A profile in the library.
    Profile(String),
    /// An organisation layer given with `--layer`.
    Org(String),
    /// Library metadata (definitions, not values).
    Library,
    /// A rendered manifest read back (diff input).
    Rendered,
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Layer::Site => write!(f, "site"),
            Layer::Component(c) => write!(f, "component {c}"),
            Layer::SiteMapping(_) => write!(f, "site"),
            Layer::Release(r) => write!(f, "release {r}"),
            Layer::Profile(p) => write!(f, "profile {p}"),
            Layer::Org(l) => write!(f, "layer {l}"),
            Layer::Library => write!(f, "library"),
            Layer::Rendered => write!(f, "rendered"),
        }
    }
}

/// One source file: its display name, text and line index.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics: the path as the user gave it, or
    /// `library/...` for embedded library files.
    pub name: String,
    pub text: Arc<str>,
    pub layer: Layer,
    line_starts: Vec<u32>,
    ascii: bool,
    /// Character counts at block boundaries, for columns on long lines
    /// of non-ASCII text (built on first use).
    char_index: OnceLock<Vec<u32>>,
    /// The secret values found in the parsed tree (set by the reader;
    /// diagnostics redact them).
    secrets: OnceLock<Secrets>,
}

/// Secret values of a source file, as found in its parsed tree.
#[derive(Debug, Default)]
pub struct Secrets {
    /// Byte ranges of the values in the text.
    pub spans: Vec<(u32, u32)>,
    /// The values as read (a quoted or block scalar reads differently
    /// from its text).
    pub values: Vec<String>,
}

/// Bytes per block of [`SourceFile`]'s character index.
const CHAR_BLOCK: usize = 4096;

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>, layer: Layer) -> SourceFile {
        let text: Arc<str> = text.into();
        let ascii = text.is_ascii();
        // YAML line breaks: `\r\n`, `\r` and `\n` (the reader counts lines
        // the same way, so its positions map back exactly).
        let bytes = text.as_bytes();
        let mut line_starts = vec![0u32];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line_starts.push((i + 1) as u32),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    line_starts.push((i + 2) as u32);
                    i += 1;
                }
                b'\r' => line_starts.push((i + 1) as u32),
                _ => {}
            }
            i += 1;
        }
        SourceFile {
            name: name.into(),
            text,
            layer,
            line_starts,
            ascii,
            char_index: OnceLock::new(),
            secrets: OnceLock::new(),
        }
    }

    /// Records the secret values of this file (the first call wins: every
    /// parse of a file finds the same).
    pub fn set_secrets(&self, secrets: Secrets) {
        let _ = self.secrets.set(secrets);
    }

    /// The secret values found when the file was parsed (none when it was
    /// never parsed).
    pub fn secrets(&self) -> Option<&Secrets> {
        self.secrets.get()
    }

    /// The 0-based line holding a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len()) as u32;
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// The byte range of a 0-based line, without its line break.
    pub fn line_range(&self, line: usize) -> (usize, usize) {
        let start = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&s| s as usize);
        let next = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&s| s as usize);
        let body = self.text[start..next].trim_end_matches(['\n', '\r']);
        (start, start + body.len())
    }

    /// The byte offset where the 0-based line `line` starts (the text's
    /// length past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .map_or(self.text.len(), |&s| s as usize)
    }

    /// Characters in `text[..offset]`, in time independent of the text's
    /// length.
    fn chars_before(&self, offset: usize) -> usize {
        if self.ascii {
            return offset;
        }
        let block = offset / CHAR_BLOCK;
        let b = floor_char_boundary(&self.text, block * CHAR_BLOCK);
        self.char_index()[block] as usize + self.text[b..offset].chars().count()
    }

    /// Cumulative character counts at each block boundary (rounded down
    /// to a character boundary).
    fn char_index(&self) -> &[u32] {
        self.char_index.get_or_init(|| {
            let mut out = Vec::with_capacity(self.text.len() / CHAR_BLOCK + 1);
            let mut chars = 0u32;
            let mut at = 0;
            for block in 0..=self.text.len() / CHAR_BLOCK {
                let b = floor_char_boundary(&self.text, block * CHAR_BLOCK);
                chars += self.text[at..b].chars().count() as u32;
                at = b;
                out.push(chars);
            }
            out
        })
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = (offset as usize).min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts[line] as usize;
        let end = floor_char_boundary(&self.text, offset);
        let col = self.chars_before(end) - self.chars_before(start);
        (line + 1, col + 1)
    }

    /// Byte offset of a 1-based line and 0-based character column.
    pub fn offset_of(&self, line: usize, col_chars: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let start = start as usize;
        if self.ascii {
            return (start + col_chars).min(self.text.len());
        }
        // The block holding the wanted character, then a short scan.
        let want = self.chars_before(start) + col_chars;
        let index = self.char_index();
        let block = index
            .partition_point(|&c| (c as usize) <= want)
            .saturating_sub(1);
        let from = floor_char_boundary(&self.text, block * CHAR_BLOCK).max(start);
        let skip = want - self.chars_before(from);
        match self.text[from..].char_indices().nth(skip) {
            Some((i, _)) => from + i,
            None => self.text.len(),
        }
    }

    /// The text covered by a span.
    pub fn slice(&self, span: Span) -> &str {
        let start = floor_char_boundary(&self.text, span.start as usize);
        let end = floor_char_boundary(&self.text, span.end as usize);
        &self.text[start..end]
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// An append-only arena of source files. Cloning is cheap (files are shared).
#[derive(Debug, Clone, Default)]
pub struct Files {
    files: Vec<Arc<SourceFile>>,
}

impl Files {
    pub fn new() -> Files {
        Files::default()
    }

    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(Arc::new(file));
        FileId((self.files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// A shared handle on a file (for data parsed on first use).
    pub fn get_arc(&self, id: FileId) -> Arc<SourceFile> {
        self.files[id.0 as usize].clone()
    }

    /// `file:line:col` for a span's start.
    pub fn location(&self, span: Span) -> Location {
        let file = self.get(span.file);
        let (line, column) = file.line_col(span.start);
        Location {
            file: file.name.clone(),
            line,
            column,
        }
    }
}

/// A human location: file name, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A path below `root` as `a/b/c`, the form library files and rendered
/// files are keyed by on every platform.
pub fn relative_path(root: &std::path::Path, path: &std::path::Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("t", "a: 1\nbé: x\n", Layer::Site);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(5), (2, 1));
        // 'x' is at byte 10 (é is two bytes) but column 5 in characters.
        assert_eq!(f.line_col(10), (2, 5));
        assert_eq!(f.offset_of(2, 4), 10);
    }

    #[test]
    fn columns_and_offsets_on_long_non_ascii_lines() {
        let line: String = (0..5000)
            .map(|i| if i % 3 == 0 { 'é' } else { 'a' })
            .collect();
        let text = format!("x\n{line}\n");
        let f = SourceFile::new("t", text.as_str(), Layer::Site);
        for col in [0, 1, 2, 1000, 4095, 4096, 4097, 4999] {
            let off = f.offset_of(2, col);
            let expected = 2 + line.char_indices().nth(col).unwrap().0;
            assert_eq!(off, expected, "{col}");
            assert_eq!(f.line_col(off as u32), (2, col + 1), "{col}");
        }
        assert_eq!(f.offset_of(2, 5000), 2 + line.len());
        assert_eq!(f.line_range(1), (2, 2 + line.len()));
    }

    #[test]
    fn carriage_returns_break_lines() {
        let f = SourceFile::new("t", "a\rb\r\nc\nd", Layer::Site);
        assert_eq!(f.line_col(2), (2, 1));
        assert_eq!(f.line_col(5), (3, 1));
        assert_eq!(f.line_col(7), (4, 1));
        assert_eq!(f.offset_of(3, 0), 5);
    }
}
