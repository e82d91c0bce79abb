//! Secret values in plain text (a source file around a syntax error, a
//! config file inside a diffed object): `key: value`, `key = value`,
//! `--key=value` with a secret key, URL credentials and private key blocks.

use std::sync::LazyLock;

use regex::Regex;

use super::{URL_CREDENTIALS, is_key_material, is_secret_key};

/// `key: value` in block or flow style; the value runs to the end of the
/// line, a comma or a closing bracket.
static COLON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?m)(?:^|[\s{,\[])["']?([A-Za-z0-9_.-]+)["']?[ \t]*:[ \t]+("[^"\n]*"|'[^'\n]*'|[^\s#,{}\[\]|>&*][^\n#,}\]]*)"#,
    )
    .expect("valid regex")
});

/// `key = value`, `key=value`, `--key=value`: the value runs to the end of
/// the line (INI files, command lines, environment files).
static EQUALS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)(?:^|[\s;,(])-{0,2}["']?([A-Za-z0-9_.-]+)["']?[ \t]*=[ \t]*([^\n]*)"#)
        .expect("valid regex")
});

/// A PEM private key block, to its END line (or the end of the text).
static PEM_BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?is)-----\s*BEGIN[A-Z0-9 ]*PRIVATE\s+KEY[A-Z ]*-----.*?(?:-----\s*END[A-Z0-9 ]*-----|\z)",
    )
    .expect("valid regex")
});

/// A base64 token that may encode a PEM block.
static BASE64_PEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"LS0tLS1CRUdJT[A-Za-z0-9+/=\s]*").expect("valid regex"));

/// The byte ranges of secret values in `text`, sorted, possibly
/// overlapping.
pub fn ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for re in [&*COLON, &*EQUALS] {
        for cap in re.captures_iter(text) {
            let (Some(key), Some(value)) = (cap.get(1), cap.get(2)) else {
                continue;
            };
            if is_secret_key(key.as_str()) {
                let v = value.as_str().trim_end();
                if !v.is_empty() {
                    out.push((value.start(), value.start() + v.len()));
                }
            }
        }
    }
    for cap in URL_CREDENTIALS.captures_iter(text) {
        if let Some(pw) = cap.get(1) {
            out.push((pw.start(), pw.end()));
        }
    }
    for m in PEM_BLOCK.find_iter(text) {
        out.push((m.start(), m.end()));
    }
    if text.contains("LS0tLS1CRUdJT") {
        for m in BASE64_PEM.find_iter(text) {
            if is_key_material(m.as_str()) {
                out.push((m.start(), m.end()));
            }
        }
    }
    out.sort_unstable();
    out
}

/// Masks secret values in text, keeping every byte offset unchanged (each
/// masked byte becomes `*`).
pub fn redact_text(text: &str) -> String {
    mask(text, &ranges(text))
}

/// `text` with the bytes in `ranges` replaced by `*` (ranges are widened
/// to whole characters, so the result stays valid UTF-8).
pub fn mask(text: &str, ranges: &[(usize, usize)]) -> String {
    if ranges.is_empty() {
        return text.to_string();
    }
    let mut bytes = text.as_bytes().to_vec();
    for &(start, end) in ranges {
        let (start, end) = (start.min(text.len()), end.min(text.len()));
        let start = (0..=start)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let end = (end..=text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(text.len());
        for b in &mut bytes[start..end] {
            *b = b'*';
        }
    }
    String::from_utf8(bytes).expect("whole characters were replaced by ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_offsets() {
        let t = "a: 1\npassword: hunter2\nx: {token: abc, b: 2}\nurl: mysql://u:pw@db/x\n";
        let r = redact_text(t);
        assert_eq!(r.len(), t.len());
        assert!(!r.contains("hunter2") && !r.contains("abc") && !r.contains(":pw@"));
        assert!(r.contains("a: 1") && r.contains("b: 2"));
    }

    #[test]
    fn ini_command_lines_and_keys() {
        let t = "[database]\nconnection = x\npassword = p@ss, word\n--db-password=s3cr3t --x=1\nPASS_WORD=zz\n";
        let r = redact_text(t);
        for leak in ["p@ss", "word\n", "s3cr3t", "zz"] {
            assert!(!r.contains(leak), "{leak} in {r}");
        }
        assert!(r.contains("connection = x"));
        let pem = "key: |\n  -----BEGIN EC PRIVATE KEY-----\n  MHcCAQEE\n  -----END EC PRIVATE KEY-----\nnext: 1\n";
        let r = redact_text(pem);
        assert!(!r.contains("MHcCAQEE") && r.contains("next: 1"), "{r}");
        let b64 = format!(
            "tls.key: {}\n",
            data_encoding::BASE64.encode(b"-----BEGIN PRIVATE KEY-----\nMIIEvQ\n")
        );
        assert!(!redact_text(&b64).contains("LS0t"));
        assert_eq!(redact_text("é: ü\npassword: é\n"), "é: ü\npassword: **\n");
    }
}
