//! Redaction of what diagnostics print: the source text of snippets and
//! the words of messages, computed once per file.

use aho_corasick::{AhoCorasick, MatchKind};

use super::text;
use crate::source::SourceFile;

/// Values shorter than this are masked in messages only where a message
/// quotes them whole (`` `x` ``): masking every occurrence of a one-letter
/// value would garble the message and protect nothing.
const MIN_ANYWHERE: usize = 4;

/// What to hide when printing anything about one source file.
pub struct Redaction {
    /// The file's text with every secret value masked (same byte offsets).
    pub text: String,
    /// Every secret value, sorted, unique.
    values: Vec<String>,
    /// Finds the values of at least [`MIN_ANYWHERE`] bytes.
    matcher: Option<AhoCorasick>,
}

/// What replaces a secret value in a message.
const HIDDEN: &str = "(secret, not shown)";

impl Redaction {
    /// The redaction of a file: the secret values its parsed tree holds
    /// (recorded by the reader), and those a text scan finds (parts that
    /// did not parse, unusual layouts).
    pub fn of(file: &SourceFile) -> Redaction {
        let src: &str = &file.text;
        let mut ranges: Vec<(usize, usize)> = text::ranges(src);
        let mut values: Vec<String> = ranges.iter().map(|&(s, e)| src[s..e].to_string()).collect();
        if let Some(found) = file.secrets() {
            ranges.extend(found.spans.iter().map(|&(s, e)| (s as usize, e as usize)));
            for v in &found.values {
                // A URL's password alone is a secret too (a message may
                // quote only part of the URL).
                values.extend(
                    text::ranges(v)
                        .into_iter()
                        .map(|(s, e)| v[s..e].to_string()),
                );
                values.push(v.clone());
            }
        }
        values.retain(|v| !v.trim().is_empty());
        values.sort();
        values.dedup();
        let long: Vec<&String> = values.iter().filter(|v| v.len() >= MIN_ANYWHERE).collect();
        let matcher = (!long.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(long)
                    .ok()
            })
            .flatten();
        Redaction {
            text: text::mask(src, &ranges),
            values,
            matcher,
        }
    }

    /// `s` (a message, label or help line) with every secret value of the
    /// file masked: whole values anywhere, and quoted (`` `...` ``) words
    /// that are a value or the start of one (a clipped quote).
    pub fn message(&self, s: &str) -> String {
        let s = match &self.matcher {
            Some(m) => m.replace_all(s, &vec![HIDDEN; m.patterns_len()]),
            None => s.to_string(),
        };
        if self.values.is_empty() {
            return s;
        }
        // Messages quote values in backticks; decode errors in double quotes.
        let s = self.quotes(s, '`');
        self.quotes(s, '"')
    }

    /// `s` with each `q`-quoted secret masked.
    fn quotes(&self, s: String, q: char) -> String {
        if !s.contains(q) {
            return s;
        }
        let mut out = String::with_capacity(s.len());
        let mut parts = s.split(q);
        out.push_str(parts.next().unwrap_or(""));
        let mut quoted = true;
        for part in parts {
            out.push(q);
            if quoted && self.is_secret_quote(part) {
                out.push_str(HIDDEN);
            } else {
                out.push_str(part);
            }
            quoted = !quoted;
        }
        out
    }

    fn is_secret_quote(&self, quote: &str) -> bool {
        if quote.is_empty() {
            return false;
        }
        if self
            .values
            .binary_search_by(|v| v.as_str().cmp(quote))
            .is_ok()
        {
            return true;
        }
        // `clip` shortens long values to a prefix and "...".
        let Some(prefix) = quote.strip_suffix("...") else {
            return false;
        };
        if prefix.len() < 3 {
            return false;
        }
        let i = self.values.partition_point(|v| v.as_str() < prefix);
        self.values.get(i).is_some_and(|v| v.starts_with(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Files, Layer};

    fn redaction(text: &str) -> Redaction {
        let mut files = Files::new();
        let id = files.add(SourceFile::new("t.yaml", text, Layer::Site));
        let _ = crate::load::parse_all(id, &files);
        Redaction::of(files.get(id))
    }

    #[test]
    fn snippets_and_messages() {
        let r = redaction(
            "a: &x hunter2\nb:\n  password: *x\nc:\n  passphrase: >-\n    correct horse\n  domain: \"mysql://u:S3cr3t@h\"\n  k: {tls.key: kk}\n",
        );
        for leak in ["hunter2", "correct horse", "S3cr3t", "kk"] {
            assert!(!r.text.contains(leak), "{leak}:\n{}", r.text);
        }
        assert_eq!(
            r.message("`mysql://u:S3cr3t@h` is not a valid domain"),
            "`(secret, not shown)` is not a valid domain"
        );
        assert_eq!(
            r.message("`mysql://u:S3...` is bad"),
            "`(secret, not shown)` is bad"
        );
        assert_eq!(r.message("a `kk` and kk"), "a `(secret, not shown)` and kk");
        assert_eq!(r.message("uses S3cr3t"), "uses (secret, not shown)");
        assert_eq!(r.message("`plain`"), "`plain`");
        assert_eq!(r.message("found \"kk\""), "found \"(secret, not shown)\"");
    }
}
