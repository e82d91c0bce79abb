//! What counts as secret material, and how it is kept out of output.
//!
//! One definition serves validation (secret values in a site file, a layer
//! or a library are rejected), diagnostics (snippets and messages are
//! redacted before printing) and diff (secret values are masked).
//!
//! The rule, in three parts:
//!
//! - **Keys** ([`key_kind`]). A key names one secret when its last words,
//!   joined, are a secret term (`password`, `db_password`, `adminPassword`,
//!   `PASS_WORD`, `pass-phrase`, `memcache_secret_key`, `ssh_key`,
//!   `tls.key`, ...), or when it is `key` inside `tls`/`ssl`. It names a
//!   collection of secrets when it is the plural of such a term
//!   (`passwords`, `tokens`, `credentials`, `api_keys`) or any `<word>_keys`
//!   (`fernet_keys`, `ssh_keys`). `secrets` is not one: charts and sites use
//!   it for the *names* of Secret objects.
//! - **Scope** ([`Scope`]). A scalar under a secret key is secret, and so is
//!   every item of a list under it (`password: [X]`). A map under a
//!   singular secret key is a section of settings (`token: {provider:
//!   fernet}`), whose keys are judged one by one. Everything under a
//!   collection key is secret (`passwords: {admin: X}`), except that a
//!   number directly under it is a count (`max_active_keys: 7`), and the
//!   OpenStack config sections named like collections but holding settings
//!   (`conf.<file>.fernet_tokens`, `conf.<file>.service_credentials`) are
//!   sections. Booleans and empty strings are never secret.
//! - **Values** ([`is_secret_text`]). Anywhere, under any key: a URL with
//!   a password (`mysql://u:pw@db`) and PEM private key material (also
//!   base64-encoded) are secret.

mod redact;
mod text;
mod tree;

use crate::diagnostic::{Code, Diagnostic};
use crate::yaml::path_to_string;

use std::sync::LazyLock;

use regex::Regex;

pub use redact::Redaction;
pub use text::{mask as mask_ranges, ranges as text_ranges, redact_text};
pub use tree::{Finding, Why, find};

/// Secret terms: the last words of a key, lowercase and joined.
const TERMS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pass",
    "pwd",
    "secret",
    "token",
    "credential",
    "keyring",
    "psk",
    "apikey",
    "secretkey",
    "privatekey",
    "accesskey",
    "authkey",
    "encryptionkey",
    "fernetkey",
    "sharedkey",
    "signingkey",
    "masterkey",
    "sshkey",
    "tlskey",
    "sslkey",
    "hmackey",
    "keydata",
];

/// Splits `adminPassword`, `admin-password`, `tls.key` and
/// `ADMIN_PASSWORD` into lowercase words.
fn words(key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_alphanumeric() {
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

/// What a map key says about the value under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// An ordinary key.
    Plain,
    /// One secret: `password`, `api_key`.
    Secret,
    /// A collection of secrets: `passwords`, `fernet_keys`.
    Collection,
}

/// Classifies a map key. Keys are long only in hostile input: a key of
/// more than 256 characters is judged by its last 256.
pub fn key_kind(key: &str) -> KeyKind {
    let key = match key.char_indices().rev().nth(255) {
        Some((i, _)) => &key[i..],
        None => key,
    };
    let w = words(key);
    let n = w.len();
    let mut joined = String::new();
    for i in (n.saturating_sub(3)..n).rev() {
        joined.insert_str(0, &w[i]);
        if TERMS.contains(&joined.as_str()) {
            return KeyKind::Secret;
        }
        if let Some(one) = joined.strip_suffix('s')
            && one != "secret"
            && TERMS.contains(&one)
        {
            return KeyKind::Collection;
        }
    }
    if n >= 2 && w[n - 1] == "keys" {
        return KeyKind::Collection;
    }
    KeyKind::Plain
}

/// Whether a map key names secret material (one secret or a collection).
pub fn is_secret_key(key: &str) -> bool {
    key_kind(key) != KeyKind::Plain
}

/// `key` inside `tls:` or `ssl:` (`tls: {crt: ..., key: ...}`).
fn is_tls_key(parent: Option<&str>, key: &str) -> bool {
    key.eq_ignore_ascii_case("key")
        && parent.is_some_and(|p| {
            words(p)
                .last()
                .is_some_and(|w| matches!(w.as_str(), "tls" | "ssl" | "x509"))
        })
}

/// Credentials in a URL (used to redact text; [`has_url_credentials`]
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
            .char_indices()
            .rfind(|&(_, c)| !scheme_char(c))
            .map_or(0, |(j, c)| j + c.len_utf8());
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

/// PEM private key material: `-----BEGIN RSA PRIVATE KEY-----`,
/// `OPENSSH PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, `PGP PRIVATE KEY BLOCK`...
static PEM_PRIVATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)-----\s*BEGIN[A-Z0-9 ]*PRIVATE\s+KEY").expect("valid regex"));

/// Base64 of `-----BEGIN` (how a PEM block starts when encoded, as in
/// Kubernetes Secret data).
const PEM_BASE64: &str = "LS0tLS1CRUdJT";

/// Whether a string holds private key material: a PEM private key, as
/// text or base64-encoded.
pub fn is_key_material(value: &str) -> bool {
    if (value.contains("PRIVATE") || value.contains("private")) && PEM_PRIVATE.is_match(value) {
        return true;
    }
    let mut from = 0;
    while let Some(i) = value[from..].find(PEM_BASE64).map(|i| from + i) {
        from = i + PEM_BASE64.len();
        let chunk: String = value[i..]
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(96)
            .collect();
        let usable = chunk.len() / 4 * 4;
        if let Ok(bytes) = data_encoding::BASE64.decode(&chunk.as_bytes()[..usable])
            && PEM_PRIVATE.is_match(&String::from_utf8_lossy(&bytes))
        {
            return true;
        }
    }
    false
}

/// Whether a string is secret wherever it appears: URL credentials or key
/// material.
pub fn is_secret_text(value: &str) -> bool {
    has_url_credentials(value) || is_key_material(value)
}

/// The error for a secret value found in `place` ("the site file", "layer
/// `acme`"); `help` says where the value belongs instead.
pub fn diagnostic(f: &Finding<'_>, place: &str, help: &str) -> Diagnostic {
    let at = path_to_string(&f.path);
    let (message, label) = match f.why {
        Why::Key => (
            format!("secret value in {place} at `{at}`"),
            "secret value (not shown)",
        ),
        Why::UrlCredentials => (
            format!("URL with a password in {place} at `{at}`"),
            "credentials in URL (not shown)",
        ),
        Why::KeyMaterial => (
            format!("private key material in {place} at `{at}`"),
            "private key (not shown)",
        ),
    };
    let mut d = Diagnostic::error(Code::SecretInSite, f.node.span, message)
        .label(label)
        .help(help);
    if let (Why::Key, Some(k)) = (f.why, f.key_span) {
        d = d.with_secondary(k, "this key holds secret material");
    }
    d
}

/// Where a value sits relative to secret keys, while walking a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Not under a secret key.
    Plain,
    /// Under a key that names one secret.
    Secret,
    /// Directly under a key that names a collection of secrets.
    Collection,
    /// Inside a collection of secrets.
    All,
}

impl Scope {
    /// The scope of the value at map key `key`. `parent` is the key of
    /// the map holding it; `section` says the map entry sits where chart
    /// values hold INI sections (`conf.<file>.<section>`).
    pub fn enter_key(self, parent: Option<&str>, key: &str, section: bool) -> Scope {
        match self {
            Scope::Collection | Scope::All => Scope::All,
            Scope::Plain | Scope::Secret => match key_kind(key) {
                _ if is_tls_key(parent, key) => Scope::Secret,
                KeyKind::Plain => Scope::Plain,
                KeyKind::Secret => Scope::Secret,
                KeyKind::Collection if section => Scope::Plain,
                KeyKind::Collection => Scope::Collection,
            },
        }
    }

    /// The scope of a list item.
    pub fn enter_item(self) -> Scope {
        match self {
            Scope::Collection => Scope::All,
            other => other,
        }
    }

    /// Whether a string here is secret by its place.
    pub fn string_is_secret(self, s: &str) -> bool {
        !s.is_empty() && self != Scope::Plain
    }

    /// Whether a number here is secret by its place.
    pub fn number_is_secret(self) -> bool {
        matches!(self, Scope::Secret | Scope::All)
    }
}

/// Sections of OpenStack config files whose names read like collections
/// of secrets but hold settings (keystone's `[fernet_tokens]`, the
/// telemetry services' `[service_credentials]`).
const SETTINGS_SECTIONS: &[&str] = &["fernet_tokens", "fernet_receipts", "service_credentials"];

/// Whether a path (relative to chart values) is one of those sections of a
/// chart config file: `conf.<file>.<section>`.
pub fn is_ini_section<S: AsRef<str>>(values_path: &[S]) -> bool {
    values_path.len() == 3
        && values_path[0].as_ref() == "conf"
        && SETTINGS_SECTIONS.contains(&values_path[2].as_ref())
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
            "PASS_WORD",
            "pass-phrase",
            "Pass.Word",
            "ssh_key",
            "SSHKey",
            "tls.key",
            "ca_private_key",
            "ca_private_key_passphrase",
            "clientKeyData",
            "client-key-data",
        ] {
            assert_eq!(key_kind(k), KeyKind::Secret, "{k}");
        }
        for k in [
            "passwords",
            "db_passwords",
            "tokens",
            "fernet_keys",
            "ssh_keys",
            "api_keys",
            "credential_keys",
            "credentials",
            "service_credentials",
            "keyrings",
        ] {
            assert_eq!(key_kind(k), KeyKind::Collection, "{k}");
        }
        for k in [
            "rbd_secret_uuid",
            "secrets",
            "bypass",
            "auth_type",
            "token_expiration",
            "keystone_authtoken",
            "secret_name",
            "keys",
            "key",
            "node_selector_key",
            "topologyKey",
            "compass_word",
        ] {
            assert_eq!(key_kind(k), KeyKind::Plain, "{k}");
        }
        assert_eq!(key_kind(&"x_".repeat(100_000)), KeyKind::Plain);
    }

    #[test]
    fn scopes() {
        let s = Scope::Plain;
        assert_eq!(s.enter_key(None, "password", false), Scope::Secret);
        assert_eq!(s.enter_key(Some("tls"), "key", false), Scope::Secret);
        assert_eq!(s.enter_key(Some("tls"), "crt", false), Scope::Plain);
        assert_eq!(s.enter_key(None, "passwords", false), Scope::Collection);
        assert_eq!(s.enter_key(None, "fernet_tokens", true), Scope::Plain);
        let section = s.enter_key(None, "token", false);
        assert_eq!(section.enter_key(None, "provider", false), Scope::Plain);
        assert_eq!(Scope::Secret.enter_item(), Scope::Secret);
        assert_eq!(
            Scope::Collection.enter_key(None, "admin", false),
            Scope::All
        );
        assert!(!Scope::Collection.number_is_secret());
        assert!(Scope::All.number_is_secret());
    }

    #[test]
    fn key_material() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n";
        assert!(is_key_material(pem));
        assert!(is_key_material("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assert!(is_key_material("-----BEGIN PRIVATE KEY-----"));
        assert!(!is_key_material("-----BEGIN CERTIFICATE-----"));
        let b64 = data_encoding::BASE64.encode(pem.as_bytes());
        assert!(is_key_material(&b64));
        let cert = data_encoding::BASE64.encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n");
        assert!(!is_key_material(&cert));
        assert!(is_secret_text("mysql://u:pw@db/x"));
        // A word "PRIVATE" elsewhere does not hide encoded key material.
        let key = data_encoding::BASE64.encode(b"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n");
        assert!(is_key_material(&format!("PRIVATE notes: {key}")));
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
            // Multi-byte characters before the scheme (found by proptest).
            "l:-$p\u{1f574}Y://\u{191e}\u{105bc}",
            "\u{e9}mysql://u:p@h",
        ] {
            assert_eq!(has_url_credentials(s), URL_CREDENTIALS.is_match(s), "{s}");
        }
    }
}
