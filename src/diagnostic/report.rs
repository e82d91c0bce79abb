//! Printing diagnostics: sorted into file order, deduplicated, once.
//!
//! Nothing secret is printed: every snippet, message, label and help line,
//! in every format, goes through the [`Redaction`] of the files it points
//! into, computed once per file. Printing is linear in the number of diagnostics: a
//! snippet is cut from the lines it shows (never a scan of the whole file
//! per diagnostic), and human output shows at most
//! [`MAX_SHOWN_PER_FILE`] diagnostics per file, then how many more there
//! are (JSON lists them all).

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::gitlab::CodeQuality;
use super::{Diagnostic, Label, Severity, Target, github};
use crate::secret::Redaction;
use crate::source::{FileId, Files, Location, SourceFile};

/// Human output shows this many diagnostics per file, then a count.
pub const MAX_SHOWN_PER_FILE: usize = 50;

/// Lines longer than this are not shown in snippets.
const MAX_SNIPPET_LINE: usize = 400;

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum MessageFormat {
    /// Graphical reports with source snippets, on stderr.
    #[default]
    Human,
    /// One JSON object per diagnostic per line, on stdout.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`), one
    /// per line on stdout: annotations in a pull request.
    Github,
    /// A GitLab Code Quality report (one JSON array) on stdout, printed
    /// when the command ends.
    Gitlab,
}

/// Prints batches of diagnostics and remembers whether any was an error.
pub struct Report {
    format: MessageFormat,
    color: bool,
    width: usize,
    errors: usize,
    warnings: usize,
    /// Redactions by file (keyed by the shared file's address, which the
    /// kept `Arc` holds stable).
    redactions: HashMap<usize, (Arc<SourceFile>, Arc<Redaction>)>,
    /// `--message-format gitlab`: the issues collected until `finish`.
    code_quality: CodeQuality,
}

impl Report {
    pub fn new(format: MessageFormat, color: bool) -> Report {
        Report {
            format,
            color,
            width: 100,
            errors: 0,
            warnings: 0,
            redactions: HashMap::new(),
            code_quality: CodeQuality::default(),
        }
    }

    pub fn errors(&self) -> usize {
        self.errors
    }

    pub fn warnings(&self) -> usize {
        self.warnings
    }

    pub fn format(&self) -> MessageFormat {
        self.format
    }

    /// Sorts, deduplicates and prints one batch whose spans live in `files`.
    pub fn emit(&mut self, files: &Files, mut diags: Vec<Diagnostic>) {
        sort_and_dedup(files, &mut diags);
        for d in &diags {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
            }
        }
        // Every format prints the same redacted words.
        let diags: Vec<Diagnostic> = diags.into_iter().map(|d| self.redacted(files, d)).collect();
        match self.format {
            MessageFormat::Json => {
                let mut out = std::io::stdout().lock();
                for d in &diags {
                    let _ = writeln!(out, "{}", to_json(files, d));
                }
            }
            MessageFormat::Human => {
                let mut err = std::io::stderr().lock();
                let mut i = 0;
                while i < diags.len() {
                    let here = place(&diags[i]);
                    let n = diags[i..]
                        .iter()
                        .take_while(|d| place_eq(&place(d), &here))
                        .count();
                    for d in &diags[i..i + n.min(MAX_SHOWN_PER_FILE)] {
                        let text = self.render_human(files, d);
                        let _ = write!(err, "{text}");
                    }
                    if n > MAX_SHOWN_PER_FILE {
                        let name = match here {
                            Place::File(id) => files.get(id).name.clone(),
                            Place::Path(p) => p.to_string(),
                        };
                        let _ = writeln!(
                            err,
                            "  … and {} more diagnostics in {name} (`--message-format json` lists every one)\n",
                            n - MAX_SHOWN_PER_FILE
                        );
                    }
                    i += n;
                }
            }
            MessageFormat::Github => {
                let mut out = std::io::stdout().lock();
                for d in &diags {
                    let _ = writeln!(out, "{}", github::command(files, d));
                }
            }
            MessageFormat::Gitlab => {
                for d in &diags {
                    self.code_quality.push(files, d);
                }
            }
        }
    }

    /// Ends the run: prints what a format keeps until then (the GitLab
    /// report, also when empty, unless the command's stdout is its output:
    /// then only a report with issues is printed, so a clean run's output
    /// stays usable).
    pub fn finish(&mut self, stdout_is_output: bool) {
        if self.format == MessageFormat::Gitlab
            && !(stdout_is_output && self.code_quality.is_empty())
        {
            print!("{}", self.code_quality.to_json());
        }
    }

    /// The redaction of a file, computed once.
    fn redaction(&mut self, files: &Files, id: FileId) -> Arc<Redaction> {
        let file = files.get_arc(id);
        let key = Arc::as_ptr(&file) as *const u8 as usize;
        self.redactions
            .entry(key)
            .or_insert_with(|| {
                let r = Arc::new(Redaction::of(&file));
                (file, r)
            })
            .1
            .clone()
    }

    /// `d` with the secret values of every file it points into masked in
    /// its message, labels and help.
    fn redacted(&mut self, files: &Files, mut d: Diagnostic) -> Diagnostic {
        for id in file_ids(&d) {
            let r = self.redaction(files, id);
            d.message = r.message(&d.message);
            d.help = d.help.map(|h| r.message(&h));
            if let Target::Span(l) = &mut d.target {
                l.text = r.message(&l.text);
            }
            for l in &mut d.secondary {
                l.text = r.message(&l.text);
            }
        }
        d
    }

    /// The graphical text of one diagnostic (no colour when not enabled).
    pub fn render_human(&mut self, files: &Files, d: &Diagnostic) -> String {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            .with_context_lines(1);
        let view = self.view(files, d);
        let mut out = String::new();
        let _ = handler.render_report(&mut out, &view);
        out.push('\n');
        out
    }

    /// Adapts a (redacted) [`Diagnostic`] to miette; snippets show the
    /// redacted text.
    fn view(&mut self, files: &Files, d: &Diagnostic) -> View {
        let mut help = d.help.clone();
        let mut labels = Vec::new();
        let mut source = None;
        let mut message = d.message.clone();
        match &d.target {
            Target::Path(p) => message = format!("{p}: {message}"),
            Target::Span(primary) => {
                let file = files.get(primary.span.file);
                let same: Vec<&Label> = std::iter::once(primary)
                    .chain(
                        d.secondary
                            .iter()
                            .filter(|l| l.span.file == primary.span.file),
                    )
                    .collect();
                if same.iter().any(|l| line_too_long(file, l)) {
                    // A snippet of a huge line helps nobody: name the place.
                    message = format!("{message}\n  at {}", files.location(primary.span));
                } else {
                    let redaction = self.redaction(files, primary.span.file);
                    source = Some(Window::new(file, &redaction.text, &same));
                    for (i, l) in same.iter().enumerate() {
                        labels.push(labeled(l, i == 0));
                    }
                }
                for l in d
                    .secondary
                    .iter()
                    .filter(|l| l.span.file != primary.span.file)
                {
                    let note = format!("{}: {}", files.location(l.span), l.text);
                    help = Some(match help {
                        Some(h) => format!("{h}\n{note}"),
                        None => note,
                    });
                }
            }
        }
        View {
            message: format!("{}[{}]: {message}", d.severity.as_str(), d.code.as_str()),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            help,
            source,
            labels,
        }
    }
}

/// Where a diagnostic points, as the machine formats print it: the start
/// of its span, or line 1, column 1 of a path.
pub fn location(files: &Files, d: &Diagnostic) -> Location {
    match &d.target {
        Target::Path(p) => Location {
            file: p.clone(),
            line: 1,
            column: 1,
        },
        Target::Span(l) => files.location(l.span),
    }
}

/// One JSON line: `{"code","severity","message","file","line","column","help"}`.
pub fn to_json(files: &Files, d: &Diagnostic) -> String {
    let loc = location(files, d);
    let v = serde_json::json!({
        "code": d.code.as_str(),
        "severity": d.severity.as_str(),
        "message": d.message,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "help": d.help,
    });
    v.to_string()
}

/// The files a diagnostic points into.
fn file_ids(d: &Diagnostic) -> Vec<FileId> {
    let mut ids: Vec<FileId> = d
        .span()
        .into_iter()
        .chain(d.secondary.iter().map(|l| l.span))
        .map(|s| s.file)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Where a diagnostic is, for grouping (diagnostics are sorted by it).
enum Place<'a> {
    File(FileId),
    Path(&'a str),
}

fn place(d: &Diagnostic) -> Place<'_> {
    match &d.target {
        Target::Path(p) => Place::Path(p),
        Target::Span(l) => Place::File(l.span.file),
    }
}

fn place_eq(a: &Place<'_>, b: &Place<'_>) -> bool {
    match (a, b) {
        (Place::File(x), Place::File(y)) => x == y,
        (Place::Path(x), Place::Path(y)) => x == y,
        _ => false,
    }
}

/// File order: files by name, then byte offset. Whole-file problems come
/// first. Identical diagnostics are printed once.
fn sort_and_dedup(files: &Files, diags: &mut Vec<Diagnostic>) {
    diags.sort_by_cached_key(|d| {
        let place = match &d.target {
            Target::Path(p) => (0, p.clone(), 0u32, 0u32),
            Target::Span(l) => (
                1,
                files.get(l.span.file).name.clone(),
                l.span.start,
                l.span.end,
            ),
        };
        (place, d.code, d.message.clone())
    });
    diags.dedup_by(|a, b| a.code == b.code && a.message == b.message && a.target == b.target);
}

fn line_too_long(file: &SourceFile, l: &Label) -> bool {
    let first = file.line_index(l.span.start as usize);
    let last = file.line_index(l.span.end as usize);
    [first, last].into_iter().any(|i| {
        let (s, e) = file.line_range(i);
        e - s > MAX_SNIPPET_LINE
    })
}

fn labeled(l: &Label, primary: bool) -> LabeledSpan {
    let span = SourceSpan::new((l.span.start as usize).into(), l.span.len());
    let text = (!l.text.is_empty()).then(|| l.text.clone());
    if primary {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

/// The lines a snippet shows (its labels and one line of context each
/// side), cut from the redacted text: miette reads only these.
struct Window {
    name: String,
    text: String,
    /// Byte offset of the window in the file.
    offset: usize,
    /// 0-based line number of the window's first line.
    first_line: usize,
}

impl Window {
    fn new(file: &SourceFile, redacted: &str, labels: &[&Label]) -> Window {
        let start = labels.iter().map(|l| l.span.start).min().unwrap_or(0) as usize;
        let end = labels.iter().map(|l| l.span.end).max().unwrap_or(0) as usize;
        let first_line = file.line_index(start).saturating_sub(1);
        let last_line = file.line_index(end) + 1;
        let from = file.line_start(first_line);
        let to = file.line_start(last_line + 1).max(from);
        Window {
            name: file.name.clone(),
            text: redacted[from..to].to_string(),
            offset: from,
            first_line,
        }
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = span
            .offset()
            .checked_sub(self.offset)
            .ok_or(MietteError::OutOfBounds)?;
        let inner = self.text.as_str().read_span(
            &SourceSpan::new(local.into(), span.len()),
            before,
            after,
        )?;
        let abs = SourceSpan::new(
            (inner.span().offset() + self.offset).into(),
            inner.span().len(),
        );
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            abs,
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

struct View {
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Window>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for View {}

impl miette::Diagnostic for View {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.clone()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}
