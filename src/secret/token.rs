//! Secret tokens: what stands for a secret in hydrated output.

use super::URL_CREDENTIALS;

/// The start of every secret token.
pub const TOKEN_PREFIX: &str = "stackc-secret.";

/// The token for the secret at a store key: `stackc-secret.` and the key,
/// with `/` written `~` (`prod/east/database/nova` ->
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

/// Whether a string holds a secret token.
pub fn has_token(value: &str) -> bool {
    value.contains(TOKEN_PREFIX)
}

/// Whether every password in URLs of a string is a token (true when there
/// is none).
pub fn url_credentials_are_tokens(value: &str) -> bool {
    URL_CREDENTIALS.captures_iter(value).all(|c| {
        c.get(1)
            .is_some_and(|pw| pw.as_str().starts_with(TOKEN_PREFIX))
    })
}

#[cfg(test)]
mod tests {
    use super::super::has_url_credentials;
    use super::*;

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
}
