//! The three output formats of `stackc diff`.

use std::collections::BTreeMap;

use anstyle::{AnsiColor, Style};
use serde_json::{Value as J, json};

use super::escape::{line as esc, md_cell, md_code, md_text};
use super::{Diff, FieldChange, ObjectDiff, Op, Status, comment};

/// Version of the JSON output (`schema` field). Bumped on incompatible
/// changes; see docs/diff.md.
pub const JSON_SCHEMA: &str = "stackc.dev/diff/v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Plain text grouped by component (colour on a terminal).
    Text,
    /// A pull-request comment: summary table, hazards first, details folded.
    Markdown,
    /// One JSON document (schema stackc.dev/diff/v1).
    Json,
}

/// Formats a diff. `summary` prints counts only.
pub fn render(d: &Diff, format: Format, summary: bool, color: bool) -> String {
    match format {
        Format::Text => text(d, summary, color),
        Format::Markdown => comment::fit(markdown(d, summary), comment::MARKDOWN_BUDGET),
        Format::Json => to_json(d, summary),
    }
}

fn summary_line(d: &Diff) -> String {
    let n = |count: usize, one: &str, many: &str| {
        format!("{count} {}", if count == 1 { one } else { many })
    };
    format!(
        "{} changed, {} added, {} removed objects; {}; {}",
        d.count(Status::Changed),
        d.count(Status::Added),
        d.count(Status::Removed),
        n(d.field_changes(), "field change", "field changes"),
        n(d.hazards.len(), "hazard", "hazards")
    )
}

/// Components in order, with their object diffs.
fn by_component(d: &Diff) -> BTreeMap<String, Vec<&ObjectDiff>> {
    let mut m: BTreeMap<String, Vec<&ObjectDiff>> = BTreeMap::new();
    for o in &d.objects {
        m.entry(o.component.clone().unwrap_or_else(|| "(site)".into()))
            .or_default()
            .push(o);
    }
    m
}

/// A value on one line: strings as written (control characters
/// escaped), others as compact JSON.
fn inline(v: &Option<J>) -> String {
    let s = match v {
        None => String::new(),
        Some(J::String(s)) => esc(s),
        Some(other) => other.to_string(),
    };
    if s.chars().count() > 120 {
        let mut t: String = s.chars().take(117).collect();
        t.push_str("...");
        t
    } else {
        s
    }
}

struct Paint(bool);

impl Paint {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

fn sign(op: Op) -> &'static str {
    match op {
        Op::Added => "+",
        Op::Removed => "-",
        Op::Changed => "~",
    }
}

fn text(d: &Diff, summary: bool, color: bool) -> String {
    let p = Paint(color);
    let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let red = Style::new().fg_color(Some(AnsiColor::Red.into()));
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
    let dim = Style::new().dimmed();
    let bold = Style::new().bold();
    let style = |s: &str| match s {
        "+" => green,
        "-" => red,
        _ => yellow,
    };
    let mut out = format!(
        "{} {} -> {}\n",
        p.paint(bold, "stackc diff"),
        esc(&d.old),
        esc(&d.new)
    );
    if d.is_empty() {
        out.push_str("no changes\n");
        return out;
    }
    if !d.hazards.is_empty() {
        out.push('\n');
        out.push_str(&p.paint(red.bold(), "hazards:"));
        out.push('\n');
        for h in &d.hazards {
            let scope = h
                .component
                .as_deref()
                .map(|c| format!(" [{}]", esc(c)))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {} {}{scope}: {}\n",
                p.paint(red.bold(), "!"),
                h.kind.as_str(),
                esc(&h.message)
            ));
            if let Some(help) = &h.help {
                out.push_str(&format!("      {} {}\n", p.paint(bold, "help:"), esc(help)));
            }
        }
    }
    if summary {
        out.push('\n');
    }
    for (component, objs) in by_component(d) {
        let component = esc(&component);
        if summary {
            let c = |s: Status| objs.iter().filter(|o| o.status == s).count();
            out.push_str(&format!(
                "  {component}: {} changed, {} added, {} removed\n",
                c(Status::Changed),
                c(Status::Added),
                c(Status::Removed)
            ));
            continue;
        }
        out.push('\n');
        out.push_str(&p.paint(bold, &component));
        out.push('\n');
        for o in objs {
            let s = sign(o.status);
            out.push_str(&format!(
                "  {} {}  {}\n",
                p.paint(style(s), s),
                esc(&o.id.to_string()),
                p.paint(dim, &format!("({})", esc(&o.file)))
            ));
            for c in &o.changes {
                out.push_str(&format!(
                    "      {}\n",
                    field_text(c, &p, style(sign(c.op)), dim)
                ));
            }
        }
    }
    out.push('\n');
    out.push_str(&summary_line(d));
    out.push('\n');
    out
}

fn field_text(c: &FieldChange, p: &Paint, style: Style, dim: Style) -> String {
    let s = sign(c.op);
    let path = esc(&c.path);
    let body = match c.op {
        Op::Changed => format!("{path}: {} -> {}", inline(&c.old), inline(&c.new)),
        Op::Added => format!("{path}: {}", inline(&c.new)),
        Op::Removed => format!("{path}: {}", inline(&c.old)),
    };
    let origin = c
        .origin
        .as_ref()
        .map(|o| format!("  {}", p.paint(dim, &format!("({})", esc(&o.to_string())))))
        .unwrap_or_default();
    format!("{} {body}{origin}", p.paint(style, s))
}

fn markdown(d: &Diff, summary: bool) -> String {
    let mut out = String::from("### stackc diff\n\n");
    out.push_str(&format!("{} → {}\n\n", md_code(&d.old), md_code(&d.new)));
    if d.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    out.push_str(&format!("**{}**\n\n", summary_line(d)));
    if !d.hazards.is_empty() {
        out.push_str(
            "#### ⚠️ Hazards\n\n| hazard | component | object | detail |\n|---|---|---|---|\n",
        );
        for h in &d.hazards {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                h.kind.as_str(),
                md_text(h.component.as_deref().unwrap_or("")),
                md_text(h.object.as_deref().unwrap_or("")),
                match &h.help {
                    Some(help) => format!(
                        "{}<br>**What to do:** {}",
                        md_text(&h.message),
                        md_cell(help)
                    ),
                    None => md_text(&h.message),
                }
            ));
        }
        out.push('\n');
    }
    let groups = by_component(d);
    out.push_str("| component | changed | added | removed | fields |\n|---|---:|---:|---:|---:|\n");
    for (component, objs) in &groups {
        let c = |s: Status| objs.iter().filter(|o| o.status == s).count();
        let fields: usize = objs.iter().map(|o| o.changes.len()).sum();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {fields} |\n",
            md_text(component),
            c(Status::Changed),
            c(Status::Added),
            c(Status::Removed)
        ));
    }
    if summary {
        return out;
    }
    for (component, objs) in &groups {
        out.push_str(&format!(
            "\n<details><summary><b>{}</b></summary>\n\n",
            md_text(component)
        ));
        out.push_str("| | object | field | old | new | set by |\n|---|---|---|---|---|---|\n");
        for o in objs {
            if o.changes.is_empty() {
                out.push_str(&format!(
                    "| {} | {} | | | | |\n",
                    sign(o.status),
                    md_text(&o.id.to_string())
                ));
            }
            for c in &o.changes {
                let code = |v: &Option<J>| {
                    let t = inline(v);
                    if t.is_empty() {
                        String::new()
                    } else {
                        md_code(&t)
                    }
                };
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    sign(c.op),
                    md_text(&o.id.to_string()),
                    md_code(&c.path),
                    code(&c.old),
                    code(&c.new),
                    c.origin
                        .as_ref()
                        .map(|o| md_text(&o.to_string()))
                        .unwrap_or_default()
                ));
            }
        }
        out.push_str("\n</details>\n");
    }
    out
}

fn to_json(d: &Diff, summary: bool) -> String {
    let mut v = json!({
        "schema": JSON_SCHEMA,
        "old": d.old,
        "new": d.new,
        "summary": {
            "changed": d.count(Status::Changed),
            "added": d.count(Status::Added),
            "removed": d.count(Status::Removed),
            "fields": d.field_changes(),
            "hazards": d.hazards.len(),
        },
    });
    if !summary {
        v["hazards"] = serde_json::to_value(&d.hazards).expect("serialisable");
        v["objects"] = serde_json::to_value(&d.objects).expect("serialisable");
    }
    let mut s = serde_json::to_string_pretty(&v).expect("serialisable");
    s.push('\n');
    s
}
