//! Secret values in a parsed tree, by the rule of this module's parent.

use super::{Scope, is_ini_section, is_key_material};
use crate::source::Span;
use crate::yaml::{Node, PathSeg, Value};

/// Why a value is secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Its key (or an enclosing key) names secret material.
    Key,
    /// A URL with a password.
    UrlCredentials,
    /// Private key material.
    KeyMaterial,
}

/// One secret value in a tree.
#[derive(Debug, Clone)]
pub struct Finding<'a> {
    pub path: Vec<PathSeg>,
    /// The span of the key naming the secret, when it is a map entry.
    pub key_span: Option<Span>,
    pub node: &'a Node,
    pub why: Why,
}

/// Every secret value under `root`. `values_root` says whether a path is
/// the root of chart values (where `conf.<file>.<section>` are INI
/// sections); it is asked of every map.
pub fn find<'a>(root: &'a Node, values_root: &dyn Fn(&[PathSeg]) -> bool) -> Vec<Finding<'a>> {
    let mut w = Walk {
        values_root,
        path: Vec::new(),
        out: Vec::new(),
    };
    w.node(root, None, None, Scope::Plain, None);
    w.out
}

struct Walk<'a, 'f> {
    values_root: &'f dyn Fn(&[PathSeg]) -> bool,
    path: Vec<PathSeg>,
    out: Vec<Finding<'a>>,
}

impl<'a> Walk<'a, '_> {
    fn node(
        &mut self,
        node: &'a Node,
        key: Option<&str>,
        key_span: Option<Span>,
        scope: Scope,
        values_at: Option<usize>,
    ) {
        let why = match &node.value {
            Value::String(s) if scope.string_is_secret(s) => Some(Why::Key),
            Value::Int(_) | Value::Float(_) if scope.number_is_secret() => Some(Why::Key),
            Value::String(s) if super::has_url_credentials(s) => Some(Why::UrlCredentials),
            Value::String(s) if is_key_material(s) => Some(Why::KeyMaterial),
            _ => None,
        };
        if let Some(why) = why {
            self.out.push(Finding {
                path: self.path.clone(),
                key_span,
                node,
                why,
            });
        }
        match &node.value {
            Value::Map(m) => {
                let values_at = if (self.values_root)(&self.path) {
                    Some(self.path.len())
                } else {
                    values_at
                };
                for (k, e) in m {
                    self.path.push(PathSeg::Key(k.clone()));
                    let section = values_at.is_some_and(|d| {
                        let rel: Vec<&str> = self.path[d..]
                            .iter()
                            .map(|s| match s {
                                PathSeg::Key(k) => k.as_str(),
                                PathSeg::Index(_) => "",
                            })
                            .collect();
                        is_ini_section(&rel)
                    });
                    let inner = scope.enter_key(key, k, section);
                    self.node(&e.node, Some(k), Some(e.key_span), inner, values_at);
                    self.path.pop();
                }
            }
            Value::Seq(items) => {
                for (i, n) in items.iter().enumerate() {
                    self.path.push(PathSeg::Index(i));
                    self.node(n, key, key_span, scope.enter_item(), values_at);
                    self.path.pop();
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Files, Layer, SourceFile};
    use crate::yaml::path_to_string;

    fn found(text: &str) -> Vec<String> {
        let mut files = Files::new();
        let id = files.add(SourceFile::new("t", text, Layer::Site));
        let doc = crate::load::parse_one(id, &files).0.unwrap();
        find(&doc, &|p| p.is_empty())
            .iter()
            .map(|f| path_to_string(&f.path))
            .collect()
    }

    #[test]
    fn shapes() {
        assert_eq!(
            found("password: [a, [b]]\n"),
            ["password[0]", "password[1][0]"]
        );
        assert_eq!(
            found("passwords: {admin: x, n: 1, deep: {y: z}}\n"),
            ["passwords.admin", "passwords.n", "passwords.deep.y"]
        );
        assert_eq!(
            found("token: {provider: fernet, secret: s}\n"),
            ["token.secret"]
        );
        assert_eq!(
            found("max_active_keys: 7\nfernet_keys: x\n"),
            ["fernet_keys"]
        );
        assert_eq!(
            found("conf: {keystone: {fernet_tokens: {max_active_keys: 7}}}\n"),
            Vec::<String>::new()
        );
        assert_eq!(found("tls: {crt: a, key: b}\n"), ["tls.key"]);
        assert_eq!(
            found(
                "x: {cert: \"-----BEGIN PRIVATE KEY-----\\nM\"}\ny: http://u:p@h\nok: true\npassword: ''\n"
            ),
            ["x.cert", "y"]
        );
    }
}
