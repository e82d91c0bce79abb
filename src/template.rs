//! Library expressions: minijinja with explicit, strict settings.
//!
//! Library values are YAML data whose string leaves may hold expressions;
//! this module evaluates them. Settings are fixed here and nowhere else:
//! strict undefined (a typo is an error), no auto-escaping, bounded fuel
//! (no runaway loops from a layer), and a small recursion limit.

use minijinja::{Environment, UndefinedBehavior, Value};

/// Fuel per evaluation: far above any real library expression.
const FUEL: u64 = 50_000;

pub struct Engine {
    env: Environment<'static>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl Engine {
    pub fn new() -> Engine {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(32);
        Engine { env }
    }

    /// Evaluates one expression (`site.network.backend == "ovn"`). An
    /// undefined result is an error: strict means strict, also for values
    /// that are not printed.
    pub fn eval(&self, expr: &str, ctx: &Value) -> Result<Value, minijinja::Error> {
        let v = self.env.compile_expression(expr)?.eval(ctx)?;
        if v.is_undefined() {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::UndefinedError,
                format!("`{}` is undefined", expr.trim()),
            ));
        }
        Ok(v)
    }

    /// Evaluates a condition; the result must be a boolean.
    pub fn eval_bool(&self, expr: &str, ctx: &Value) -> Result<bool, minijinja::Error> {
        let v = self.eval(expr, ctx)?;
        match bool::try_from(v.clone()) {
            Ok(b) => Ok(b),
            Err(_) => Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("condition must be true or false, got {}", v.kind()),
            )),
        }
    }

    /// Renders a string with `{{ }}` interpolations.
    pub fn render(&self, template: &str, ctx: &Value) -> Result<String, minijinja::Error> {
        self.env.render_str(template, ctx)
    }
}

/// A short description of a minijinja error, without its debug dump.
pub fn describe(e: &minijinja::Error) -> String {
    let mut msg = e.to_string();
    // minijinja appends "(in <string>:1)"; spans point at the real file.
    if let Some(i) = msg.find(" (in ") {
        msg.truncate(i);
    }
    msg
}

/// The dotted names an expression mentions: `site.network.backend == "x"`
/// -> `[["site", "network", "backend"]]`. Text inside string literals is
/// skipped.
pub fn dotted_names(expr: &str) -> Vec<Vec<&str>> {
    let bytes = expr.as_bytes();
    let ident_start = |b: u8| b.is_ascii_alphabetic() || b == b'_';
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' || b == b'\'' {
            // Skip a string literal.
            i += 1;
            while i < bytes.len() && bytes[i] != b {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            continue;
        }
        let starts = ident_start(b) && (i == 0 || !(ident(bytes[i - 1]) || bytes[i - 1] == b'.'));
        if !starts {
            i += 1;
            continue;
        }
        let mut segs = Vec::new();
        loop {
            let s = i;
            while i < bytes.len() && ident(bytes[i]) {
                i += 1;
            }
            segs.push(&expr[s..i]);
            if i + 1 < bytes.len() && bytes[i] == b'.' && ident_start(bytes[i + 1]) {
                i += 1;
            } else {
                break;
            }
        }
        out.push(segs);
    }
    out
}

/// For an expression that read an undefined name, the closest existing
/// name: `site.regoin` -> "did you mean `site.region`?".
pub fn suggest_undefined(expr: &str, ctx: &Value) -> Option<String> {
    for names in dotted_names(expr) {
        let segs: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut cur = ctx.clone();
        for (i, seg) in segs.iter().enumerate() {
            let next = cur.get_attr(seg).ok().filter(|v| !v.is_undefined());
            match next {
                Some(v) => cur = v,
                None => {
                    // Only names under a map we could enumerate count.
                    let keys: Vec<String> = cur
                        .try_iter()
                        .map(|it| it.filter_map(|k| k.as_str().map(str::to_string)).collect())
                        .unwrap_or_default();
                    if i == 0
                        && !matches!(
                            seg.as_str(),
                            "site"
                                | "component"
                                | "release"
                                | "profile"
                                | "enabled"
                                | "catalogue"
                                | "values"
                        )
                    {
                        break;
                    }
                    let known: Vec<&str> = keys.iter().map(String::as_str).collect();
                    let prefix = segs[..i].join(".");
                    let full = |k: &str| {
                        if prefix.is_empty() {
                            k.to_string()
                        } else {
                            format!("{prefix}.{k}")
                        }
                    };
                    return Some(
                        match crate::diagnostic::did_you_mean(seg, known.iter().copied()) {
                            Some(s) => format!("did you mean `{}`?", full(s)),
                            None if known.is_empty() => format!("`{}` is not defined", full(seg)),
                            None => format!(
                                "`{}` has: {}",
                                prefix,
                                crate::diagnostic::quoted_list(known.iter().take(12))
                            ),
                        },
                    );
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::dotted_names;

    #[test]
    fn names_in_expressions() {
        assert_eq!(
            dotted_names(r#"site.network.backend == "ovn" and component.replicas or 'a.b'"#),
            vec![
                vec!["site", "network", "backend"],
                vec!["and"],
                vec!["component", "replicas"],
                vec!["or"]
            ]
        );
        assert_eq!(
            dotted_names("values.pod.replicas.server | int"),
            vec![vec!["values", "pod", "replicas", "server"], vec!["int"]]
        );
    }
}
