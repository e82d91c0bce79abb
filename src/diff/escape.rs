//! Escaping what diffed documents put into text and Markdown output, so a
//! value can neither forge lines (newlines, carriage returns, terminal
//! escape sequences, bidirectional overrides) nor break out of a Markdown
//! code span, table cell or HTML block in a pull-request comment.

/// One line of text: control characters and bidirectional overrides as
/// escapes (`\n`, `\r`, `\t`, `\u{1b}`).
pub fn line(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// A Markdown code span that holds `s` literally, also inside a table
/// cell: a fence longer than any run of backticks in `s`, padded when `s`
/// starts or ends with a backtick, and `|` escaped for the table.
pub fn md_code(s: &str) -> String {
    let s = line(s).replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || longest > 0 {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Markdown text in a table cell or a heading, from a document: one line,
/// no HTML, no link, no code span, no cell break. (Emphasis characters
/// stay: they cannot break out of a cell.)
pub fn md_text(s: &str) -> String {
    let s = line(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Markdown stackc wrote itself (a hazard's advice, with its code spans),
/// made safe for a table cell: one line, `|` escaped.
pub fn md_cell(s: &str) -> String {
    line(s).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_cannot_be_forged() {
        assert_eq!(line("a\nb\r\tc\u{1b}[31m"), "a\\nb\\r\\tc\\u{1b}[31m");
        assert_eq!(line("plain: x"), "plain: x");
        assert_eq!(line("\u{202e}x"), "\\u{202e}x");
    }

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(md_code("x"), "`x`");
        assert_eq!(md_code("a`b"), "`` a`b ``");
        assert_eq!(md_code("``a"), "``` ``a ```");
        assert_eq!(md_code("a|b\nc"), "`a\\|b\\nc`");
    }

    #[test]
    fn text_has_no_markup() {
        assert_eq!(
            md_text("</details><img src=x> **b** [l](u) |"),
            "&lt;/details&gt;&lt;img src=x&gt; **b** \\[l\\](u) \\|"
        );
    }
}
