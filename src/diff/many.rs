//! One report for the diffs of several sites (`stackc diff DIR --against
//! REV`, `DIR --release R`): a pull request touching a shared layer changes
//! every site, and gets one comment.
//!
//! - text: each site's diff, one after the other;
//! - markdown: a heading, the sites that change and those that do not,
//!   then each changed site's diff; when that does not fit a comment, each
//!   changed site's summary instead (counts and hazards), and never more
//!   than the comment budget;
//! - json: an array of the per-site documents.

use super::comment::{self, MARKDOWN_BUDGET};
use super::{Diff, Format, format};

/// Formats the diffs of several sites; `title` says what was compared (in
/// Markdown: the caller escapes what it quotes, see [`super::escape`]).
pub fn render_many(diffs: &[Diff], title: &str, fmt: Format, summary: bool, color: bool) -> String {
    let each = |summary: bool| diffs.iter().map(move |d| format(d, fmt, summary, color));
    match fmt {
        Format::Text => each(summary).collect::<Vec<_>>().join("\n"),
        Format::Json => format!("[\n{}]\n", each(summary).collect::<Vec<_>>().join(",\n")),
        Format::Markdown => markdown(diffs, title, summary),
    }
}

fn markdown(diffs: &[Diff], title: &str, summary: bool) -> String {
    let (changed, same): (Vec<&Diff>, Vec<&Diff>) = diffs.iter().partition(|d| !d.is_empty());
    let mut head = format!("## stackc diff: {title}\n\n");
    head.push_str(&format!(
        "**{} of {} sites change**{}\n",
        changed.len(),
        diffs.len(),
        if same.is_empty() {
            String::new()
        } else {
            format!(
                "; no changes: {}",
                same.iter()
                    .map(|d| super::escape::md_code(&d.new))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    let body = |summary: bool| -> String {
        changed
            .iter()
            .map(|d| format!("\n{}", format(d, Format::Markdown, summary, false)))
            .collect()
    };
    let full = format!("{head}{}", body(summary));
    if summary || full.chars().count() <= MARKDOWN_BUDGET {
        return comment::fit(full, MARKDOWN_BUDGET);
    }
    let short = format!(
        "{head}\nField-by-field changes are left out: all of them do not fit a pull-request \
         comment. Run `stackc diff` for one site, or see the CI job's log.\n{}",
        body(true)
    );
    comment::fit(short, MARKDOWN_BUDGET)
}
