//! The one diagnostic type: a stable code, a message, a label at the exact
//! span, optional secondary labels and a help line.
//!
//! Diagnostics are collected in a [`Report`], sorted into file order,
//! deduplicated and printed once, either graphically (miette), as JSON
//! lines (`--message-format json`), as GitHub Actions annotations
//! (`github`) or as a GitLab Code Quality report (`gitlab`).

mod code;
mod github;
mod gitlab;
mod report;

pub use code::Code;
pub use report::{MessageFormat, Report};

use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A labelled span.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// Where a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// A span inside a registered source file.
    Span(Label),
    /// A whole file that could not be registered (missing, unreadable...).
    Path(String),
}

/// One problem, located and explained.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub target: Target,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span`; the label defaults to the message.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Error, span, message)
    }

    /// A warning at `span`.
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Warning, span, message)
    }

    fn new(code: Code, severity: Severity, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            target: Target::Span(Label {
                span,
                text: String::new(),
            }),
            secondary: Vec::new(),
            help: None,
        }
    }

    /// An error about a path that has no source text (missing file, ...).
    pub fn at_path(code: Code, path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            target: Target::Path(path.into()),
            secondary: Vec::new(),
            help: None,
        }
    }

    /// Sets the text of the primary label (shown under the span).
    pub fn label(mut self, text: impl Into<String>) -> Diagnostic {
        if let Target::Span(l) = &mut self.target {
            l.text = text.into();
        }
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Sets the help line: how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn span(&self) -> Option<Span> {
        match &self.target {
            Target::Span(l) => Some(l.span),
            Target::Path(_) => None,
        }
    }
}

/// Appends " did you mean `x`?" when a close candidate exists.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&word.to_ascii_lowercase(), &c.to_ascii_lowercase());
        let close = score >= 0.8 || strsim::damerau_levenshtein(word, c) <= (word.len() / 3).max(1);
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Names for a help line: "`a`, `b`, `c`".
pub fn quoted_list<S: std::fmt::Display>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A help line for an unknown name: "did you mean `x`? known releases:
/// `a`, `b`" (or just the list when nothing is close).
pub fn suggest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>, what: &str) -> String {
    let known: Vec<&str> = known.into_iter().collect();
    let list = quoted_list(&known);
    match did_you_mean(word, known.iter().copied()) {
        Some(s) => format!("did you mean `{s}`? known {what}: {list}"),
        None => format!("known {what}: {list}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let keys = ["replicas", "enabled", "values"];
        assert_eq!(did_you_mean("replcias", keys), Some("replicas"));
        assert_eq!(did_you_mean("enable", keys), Some("enabled"));
        assert_eq!(did_you_mean("zzz", keys), None);
        assert_eq!(
            did_you_mean("nova-extra", ["nova", "neutron"]),
            Some("nova")
        );
    }
}
