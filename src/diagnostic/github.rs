//! `--message-format github`: GitHub Actions workflow commands, one line
//! per diagnostic, which the runner turns into annotations on the files of
//! a pull request:
//!
//! ```text
//! ::error file=sites/lab.yaml,line=12,col=12,title=E0008::unknown key `replcias` in `spec.services.nova`%0Ahelp: did you mean `replicas`?
//! ```
//!
//! Escaping follows the runner (actions/toolkit `command.ts`): in the
//! message `%`, `\r` and `\n` become `%25`, `%0D` and `%0A`; in property
//! values also `:` and `,` (`%3A`, `%2C`).

use super::report::location;
use super::{Diagnostic, Severity};
use crate::source::Files;

/// The workflow command for one diagnostic (no trailing newline).
pub fn command(files: &Files, d: &Diagnostic) -> String {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let loc = location(files, d);
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{level} file={},line={},col={},title={}::{}",
        property(&loc.file),
        loc.line,
        loc.column,
        property(d.code.as_str()),
        data(&message)
    )
}

/// Escapes a message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(data("a: b, c"), "a: b, c");
        assert_eq!(property("C:\\x,y%\n"), "C%3A\\x%2Cy%25%0A");
    }
}
