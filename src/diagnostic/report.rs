//! Printing diagnostics: sorted into file order, deduplicated, once.

use std::fmt;
use std::io::Write;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::gitlab::CodeQuality;
use super::{Diagnostic, Label, Severity, Target, github};
use crate::secret;
use crate::source::{Files, Location};

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
        match self.format {
            MessageFormat::Json => {
                let mut out = std::io::stdout().lock();
                for d in &diags {
                    let _ = writeln!(out, "{}", to_json(files, d));
                }
            }
            MessageFormat::Human => {
                let mut err = std::io::stderr().lock();
                for d in &diags {
                    let _ = write!(err, "{}", self.render_human(files, d));
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
    /// report, also when empty).
    pub fn finish(&mut self) {
        if self.format == MessageFormat::Gitlab {
            print!("{}", self.code_quality.to_json());
        }
    }

    /// The graphical text of one diagnostic (no colour when not enabled).
    pub fn render_human(&self, files: &Files, d: &Diagnostic) -> String {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            .with_context_lines(1);
        let view = View::new(files, d);
        let mut out = String::new();
        let _ = handler.render_report(&mut out, &view);
        out.push('\n');
        out
    }
}

/// File order: the order files were registered, then byte offset.
/// Whole-file problems come first. Identical diagnostics are printed once.
fn sort_and_dedup(files: &Files, diags: &mut Vec<Diagnostic>) {
    let key = |d: &Diagnostic| match &d.target {
        Target::Path(p) => (0, p.clone(), 0u32, 0u32),
        Target::Span(l) => (
            1,
            files.get(l.span.file).name.clone(),
            l.span.start,
            l.span.end,
        ),
    };
    diags.sort_by(|a, b| {
        key(a)
            .cmp(&key(b))
            .then(a.code.cmp(&b.code))
            .then(a.message.cmp(&b.message))
    });
    diags.dedup_by(|a, b| a.code == b.code && a.message == b.message && a.target == b.target);
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

/// Adapts a [`Diagnostic`] to miette. The source shown is redacted: values
/// of secret-looking keys are masked before any snippet is printed.
struct View {
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
}

impl View {
    fn new(files: &Files, d: &Diagnostic) -> View {
        let mut help = d.help.clone();
        let mut labels = Vec::new();
        let mut source = None;
        let mut message = d.message.clone();
        match &d.target {
            Target::Path(p) => message = format!("{p}: {message}"),
            Target::Span(primary) if line_too_long(files, primary) => {
                // A snippet of a huge line helps nobody: name the place instead.
                message = format!("{message}\n  at {}", files.location(primary.span));
            }
            Target::Span(primary) => {
                let file = files.get(primary.span.file);
                source = Some(NamedSource::new(
                    file.name.clone(),
                    secret::redact_text(&file.text),
                ));
                labels.push(labeled(primary, true));
                for l in &d.secondary {
                    if l.span.file == primary.span.file {
                        labels.push(labeled(l, false));
                    } else {
                        let note = format!("{}: {}", files.location(l.span), l.text);
                        help = Some(match help {
                            Some(h) => format!("{h}\n{note}"),
                            None => note,
                        });
                    }
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

/// Lines longer than this are not shown in snippets.
const MAX_SNIPPET_LINE: usize = 400;

fn line_too_long(files: &Files, l: &Label) -> bool {
    let text: &str = &files.get(l.span.file).text;
    let at = (l.span.start as usize).min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    end - start > MAX_SNIPPET_LINE
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
