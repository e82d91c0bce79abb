//! The YAML writer: JSON-model values -> block-style YAML text.
//!
//! Deterministic and conservative: map keys keep the order they have in the
//! value, two-space indentation, lists at the parent key's column (kubectl
//! style), LF line endings, multi-line strings as literal blocks. A string
//! is written bare only if it reads back as the same string under both YAML
//! 1.2 and YAML 1.1 (which Helm and Go's yaml.v2 use), so `"yes"`, `"on"`,
//! `"0755"` or `"2025.1"` stay strings for every consumer.

use serde_json::Value as J;

/// Writes one document (no `---`), ending with a newline.
pub fn write(value: &J) -> String {
    let mut out = String::new();
    match value {
        J::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        J::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        scalar => {
            write_inline(&mut out, scalar, 0);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_map(out: &mut String, m: &serde_json::Map<String, J>, ind: usize) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            indent(out, ind);
        }
        write_key(out, k);
        out.push(':');
        match v {
            J::Object(c) if !c.is_empty() => {
                out.push('\n');
                indent(out, ind + 2);
                write_map(out, c, ind + 2);
            }
            J::Array(a) if !a.is_empty() => {
                out.push('\n');
                indent(out, ind);
                write_seq(out, a, ind);
            }
            scalar => {
                out.push(' ');
                write_inline(out, scalar, ind);
                out.push('\n');
            }
        }
    }
}

fn write_seq(out: &mut String, a: &[J], ind: usize) {
    for (i, v) in a.iter().enumerate() {
        if i > 0 {
            indent(out, ind);
        }
        out.push_str("- ");
        match v {
            J::Object(c) if !c.is_empty() => write_map(out, c, ind + 2),
            J::Array(inner) if !inner.is_empty() => write_seq(out, inner, ind + 2),
            scalar => {
                write_inline(out, scalar, ind + 2);
                out.push('\n');
            }
        }
    }
}

/// Scalars and empty collections, on the current line. `ind` is the
/// indentation of the owning entry (block strings indent past it).
fn write_inline(out: &mut String, v: &J, ind: usize) {
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) => write_number(out, n),
        J::String(s) => write_string(out, s, ind),
        J::Object(_) => out.push_str("{}"),
        J::Array(_) => out.push_str("[]"),
    }
}

fn write_number(out: &mut String, n: &serde_json::Number) {
    if let Some(i) = n.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(u) = n.as_u64() {
        out.push_str(&u.to_string());
    } else {
        let f = n.as_f64().unwrap_or(0.0);
        let s = f.to_string();
        // Keep floats floats: `4` would read back as an integer.
        if s.contains(['.', 'e', 'E']) || !f.is_finite() {
            out.push_str(&s);
        } else {
            out.push_str(&s);
            out.push_str(".0");
        }
    }
}

fn write_key(out: &mut String, k: &str) {
    if is_plain_safe(k) {
        out.push_str(k);
    } else {
        write_quoted(out, k);
    }
}

fn write_string(out: &mut String, s: &str, ind: usize) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else if s.contains('\n') && block_ok(s) {
        write_block(out, s, ind);
    } else {
        write_quoted(out, s);
    }
}

/// A literal block (`|`, `|-`, `|+`) for multi-line text.
fn write_block(out: &mut String, s: &str, ind: usize) {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    out.push('|');
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            indent(out, ind + 2);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing {
        out.push('\n');
    }
    // The caller adds the newline that ends the entry; a block already ended
    // its last line, so take it back.
    out.pop();
}

fn block_ok(s: &str) -> bool {
    let first = s.split('\n').next().unwrap_or("");
    !first.starts_with([' ', '\t'])
        && !s.starts_with('\n')
        && s.chars().all(|c| c == '\n' || c == '\t' || !c.is_control())
        && !s.contains('\r')
        && !s.contains('\u{feff}')
        // Lines with trailing spaces survive, but a whitespace-only last
        // line would be eaten by chomping.
        && !s.trim_end_matches('\n').ends_with([' ', '\t'])
}

fn write_quoted(out: &mut String, s: &str) {
    let simple = s
        .chars()
        .all(|c| !c.is_control() && c != '\u{feff}' && c != '\u{2028}' && c != '\u{2029}');
    if simple {
        out.push('\'');
        out.push_str(&s.replace('\'', "''"));
        out.push('\'');
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether `s` can be written without quotes and read back as the same
/// string by YAML 1.1 and 1.2 readers.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    // Fast path for the common case: an identifier-like word that no YAML
    // reader types (it starts with a letter and is not a YAML keyword).
    if first.is_ascii_alphabetic()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'/' | b'.'))
        && (s.len() > 5 || !looks_typed(s))
    {
        return true;
    }
    if s != s.trim() || s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-x` and `:x` are plain in YAML 1.2 but not worth the risk.
        return false;
    }
    if s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{85}'))
    {
        return false;
    }
    if s.contains(['{', '}', '[', ']', ',']) && s.contains(['{', '[']) {
        return false;
    }
    !looks_typed(s)
}

/// Strings some YAML reader would take for null, a boolean, a number or a
/// timestamp when written without quotes.
pub fn looks_typed(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "y", "Y",
        "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
        "=", "<<",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, ".inf" | ".nan" | "inf" | "nan" | "infinity") {
        return true;
    }
    // Anything made only of digits and number punctuation: ints, floats,
    // octal, hex, binary, YAML 1.1 sexagesimal (`1:20`) and `1_000`.
    let numberish = |b: &str| {
        !b.is_empty()
            && b.chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '.')
            && b.chars().all(|c| {
                c.is_ascii_hexdigit()
                    || matches!(c, '.' | '_' | ':' | 'x' | 'o' | 'b' | 'e' | '+' | '-')
            })
    };
    if numberish(body) && body.chars().any(|c| c.is_ascii_digit()) {
        return true;
    }
    // Timestamps: 2025-01-01...
    let b = s.as_bytes();
    b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout() {
        let v = json!({"a": 1, "b": {"c": [1, {"d": "x", "e": []}], "f": {}}, "g": "multi\nline\n", "h": 1.0});
        assert_eq!(
            write(&v),
            "a: 1\nb:\n  c:\n  - 1\n  - d: x\n    e: []\n  f: {}\ng: |\n  multi\n  line\nh: 1.0\n"
        );
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "yes",
            "on",
            "2025.1",
            "null",
            "0755",
            "y",
            "1e3",
            "1_000",
            "1:20",
            "0x1f",
            ".5",
            "2025-01-01",
            "",
            " x",
            "a: b",
            "- x",
            "*x",
            "true",
        ] {
            let out = write(&json!({ "k": s }));
            assert!(
                out.starts_with("k: '") || out.starts_with("k: \""),
                "{s:?} -> {out}"
            );
        }
        for s in [
            "nova",
            "quay.io/airshipit/nova:2025.1-ubuntu_noble",
            "RegionOne",
            "http://keystone/v3",
            "a b",
            "x-y",
        ] {
            assert_eq!(write(&json!({ "k": s })), format!("k: {s}\n"));
        }
    }
}
