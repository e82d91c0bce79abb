//! What counts as secret material, and how it is kept out of output.
//!
//! One definition serves validation (secret values in a site file are
//! rejected), diagnostics (source snippets are redacted before printing) and
//! diff (secret values are masked).

use std::sync::LazyLock;

use regex::Regex;

/// Last words of a key that names secret material (`db_password`,
/// `memcache_secret_key`, `adminPassword`, ...).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pass",
    "pwd",
    "secret",
    "token",
    "credential",
    "credentials",
    "keyring",
    "psk",
    "apikey",
    "secretkey",
    "privatekey",
];

/// Last two words of a key that names secret material.
const SECRET_PAIRS: &[&str] = &[
    "secret_key",
    "private_key",
    "api_key",
    "access_key",
    "auth_key",
    "encryption_key",
    "fernet_key",
    "shared_key",
];

/// Splits `adminPassword`, `admin-password` and `ADMIN_PASSWORD` into
/// lowercase words.
fn words(key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if c == '_' || c == '-' || c == '.' || c == ' ' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a map key names secret material.
pub fn is_secret_key(key: &str) -> bool {
    let w = words(key);
    let Some(last) = w.last() else {
        return false;
    };
    if SECRET_WORDS.contains(&last.as_str()) {
        return true;
    }
    if w.len() >= 2 {
        let pair = format!("{}_{}", w[w.len() - 2], last);
        return SECRET_PAIRS.contains(&pair.as_str());
    }
    false
}

/// Credentials in a URL (used to redact snippets; [`has_url_credentials`]
/// is its fast equivalent).
pub static URL_CREDENTIALS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@").expect("valid regex")
});

/// Whether a string embeds a password, like `mysql+pymysql://nova:pw@db/nova`:
/// `scheme://user:password@` (the same as [`URL_CREDENTIALS`], without
/// compiling a regex on the hot path; a test proves they agree).
pub fn has_url_credentials(value: &str) -> bool {
    let scheme_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-');
    let mut from = 0;
    while let Some(i) = value[from..].find("://").map(|i| from + i) {
        from = i + 3;
        let scheme_start = value[..i]
            .rfind(|c: char| !scheme_char(c))
            .map_or(0, |j| j + 1);
        if !value[scheme_start..i]
            .chars()
            .any(|c| c.is_ascii_alphabetic())
        {
            continue;
        }
        let after = &value[i + 3..];
        let user_end = after
            .find(|c: char| c == '/' || c.is_whitespace() || c == ':' || c == '@')
            .unwrap_or(after.len());
        let Some(rest) = after[user_end..].strip_prefix(':') else {
            continue;
        };
        let pw_end = rest
            .find(|c: char| c == '/' || c.is_whitespace() || c == '@')
            .unwrap_or(rest.len());
        if pw_end > 0 && rest[pw_end..].starts_with('@') {
            return true;
        }
    }
    false
}

static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    // `key: value` in block or flow style; the value runs to the end of the
    // line, a comma or a closing bracket.
    Regex::new(
        r#"(?m)(?:^|[\s{,\[])["']?([A-Za-z0-9_.-]+)["']?[ \t]*:[ \t]+([^\s#,{}\[\]|>&*][^\n#,}\]]*)"#,
    )
    .expect("valid regex")
});

/// What stands for a secret in hydrated output: `stackc-secret.` and the
/// store key, with `/` written `~` (`prod/east/database/nova` ->
/// `stackc-secret.prod~east~database~nova`). Every character is URL-safe
/// (RFC 3986 unreserved), so a token survives inside a connection string or
/// a transport URL and the config file stays well-formed. Store keys only
/// use `[A-Za-z0-9/_.-]`; any other character would be percent-encoded.
pub fn token(store_key: &str) -> String {
    let mut out = String::from(TOKEN_PREFIX);
    for c in store_key.chars() {
        match c {
            '/' => out.push('~'),
            c if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

/// The start of every secret token.
pub const TOKEN_PREFIX: &str = "stackc-secret.";

/// Whether a string holds secret tokens only where secret material would
/// be: true when it contains a token (a value that is, or embeds, a token
/// names a store key, it reveals nothing).
pub fn has_token(value: &str) -> bool {
    value.contains(TOKEN_PREFIX)
}

/// Whether a value is safe to show: no URL credentials other than tokens.
pub fn url_credentials_are_tokens(value: &str) -> bool {
    URL_CREDENTIALS.captures_iter(value).all(|c| {
        c.get(1)
            .is_some_and(|pw| pw.as_str().starts_with(TOKEN_PREFIX))
    })
}

/// Masks secret values in source text before it is shown, keeping every
/// byte offset unchanged (each masked byte becomes `*`).
pub fn redact_text(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut mask = |start: usize, end: usize| {
        for b in &mut bytes[start..end] {
            *b = b'*';
        }
    };
    for cap in KEY_VALUE.captures_iter(text) {
        let (Some(key), Some(value)) = (cap.get(1), cap.get(2)) else {
            continue;
        };
        if is_secret_key(key.as_str()) {
            let v = value.as_str().trim_end();
            mask(value.start(), value.start() + v.len());
        }
    }
    for cap in URL_CREDENTIALS.captures_iter(text) {
        if let Some(pw) = cap.get(1) {
            mask(pw.start(), pw.end());
        }
    }
    // Only ASCII bytes were written over whole characters' bytes... except
    // when a mask cut a multi-byte character: rebuild lossily to stay valid.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys() {
        for k in [
            "password",
            "db_password",
            "adminPassword",
            "memcache_secret_key",
            "metadata_proxy_shared_secret",
            "api-key",
            "AUTH_TOKEN",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in [
            "rbd_secret_uuid",
            "secrets",
            "bypass",
            "auth_type",
            "token_expiration",
            "keystone_authtoken",
            "secret_name",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn url_credentials_match_the_regex() {
        for s in [
            "mysql+pymysql://nova:pw@db/nova",
            "rabbit://u:p@h:5672/x",
            "http://host/path",
            "http://user@host",
            "x://:pw@h",
            "1://a:b@c",
            "a1://a:b@c",
            "9a://a:b@c",
            "://a:b@c",
            "http://a:b/c@d",
            "see http://a:b@c and more",
            "http:// a:b@c",
            "http://a::b@c",
        ] {
            assert_eq!(has_url_credentials(s), URL_CREDENTIALS.is_match(s), "{s}");
        }
    }

    #[test]
    fn tokens_are_url_safe_and_name_the_key() {
        let t = token("prod/east/database/nova");
        assert_eq!(t, "stackc-secret.prod~east~database~nova");
        assert!(
            t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
        );
        let url = format!("mysql+pymysql://nova:{t}@mariadb.openstack.svc:3306/nova");
        assert!(has_url_credentials(&url) && url_credentials_are_tokens(&url));
        assert!(!url_credentials_are_tokens("rabbit://u:pw@h/x"));
        assert_eq!(token("a b"), "stackc-secret.a%20b");
    }

    #[test]
    fn redaction_keeps_offsets() {
        let t = "a: 1\npassword: hunter2\nx: {token: abc, b: 2}\nurl: mysql://u:pw@db/x\n";
        let r = redact_text(t);
        assert_eq!(r.len(), t.len());
        assert!(!r.contains("hunter2") && !r.contains("abc") && !r.contains(":pw@"));
        assert!(r.contains("a: 1") && r.contains("b: 2"));
    }
}
