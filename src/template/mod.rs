//! Library expressions: minijinja with explicit, strict settings.
//!
//! Library values are YAML data whose string leaves may hold expressions;
//! this module evaluates them. Settings are fixed here and nowhere else:
//! strict undefined (a typo is an error), no auto-escaping, bounded fuel
//! (no runaway loops from a layer), a small recursion limit, and bounds on
//! size checked before anything runs ([`bound`]: text, tokens, and the
//! size of every value and of the output).

pub mod bound;

use minijinja::machinery::ast::Stmt;
use minijinja::{Environment, UndefinedBehavior, Value};

use crate::diagnostic::Code;

/// Fuel per evaluation: far above any real library expression.
const FUEL: u64 = 50_000;

/// Why an expression gave no value.
#[derive(Debug)]
pub enum Failure {
    /// It ran, or was parsed, and failed.
    Eval(minijinja::Error),
    /// It was refused before it ran.
    Refused(bound::Refusal),
}

impl Failure {
    /// The diagnostic code: E0006 for a limit, E0102 otherwise.
    pub fn code(&self) -> Code {
        match self {
            Failure::Refused(bound::Refusal::TooLarge(_)) => Code::TooComplex,
            _ => Code::LibraryExpression,
        }
    }

    /// A short description, for a message.
    pub fn describe(&self) -> String {
        match self {
            Failure::Eval(e) => describe(e),
            Failure::Refused(bound::Refusal::TooLarge(m) | bound::Refusal::Unsupported(m)) => {
                m.clone()
            }
        }
    }

    /// The minijinja error, when the expression ran.
    pub fn eval_error(&self) -> Option<&minijinja::Error> {
        match self {
            Failure::Eval(e) => Some(e),
            Failure::Refused(_) => None,
        }
    }
}

impl From<minijinja::Error> for Failure {
    fn from(e: minijinja::Error) -> Failure {
        Failure::Eval(e)
    }
}

impl From<bound::Refusal> for Failure {
    fn from(r: bound::Refusal) -> Failure {
        Failure::Refused(r)
    }
}

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
    pub fn eval(&self, expr: &str, ctx: &Value) -> Result<Value, Failure> {
        bound::check_source(expr, true)?;
        let ast = minijinja::machinery::parse_expr(expr)?;
        bound::check_expr(&ast, ctx)?;
        drop(ast);
        let v = self.env.compile_expression(expr)?.eval(ctx)?;
        if v.is_undefined() {
            return Err(Failure::Eval(minijinja::Error::new(
                minijinja::ErrorKind::UndefinedError,
                format!("`{}` is undefined", expr.trim()),
            )));
        }
        Ok(v)
    }

    /// Evaluates a condition; the result must be a boolean.
    pub fn eval_bool(&self, expr: &str, ctx: &Value) -> Result<bool, Failure> {
        let v = self.eval(expr, ctx)?;
        match bool::try_from(v.clone()) {
            Ok(b) => Ok(b),
            Err(_) => Err(Failure::Eval(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("condition must be true or false, got {}", v.kind()),
            ))),
        }
    }

    /// The value of a string leaf of a values file: exactly one `{{ expr }}`
    /// keeps the expression's type (a map literal holding `}}` included);
    /// any other text is rendered as a string.
    pub fn value(&self, text: &str, ctx: &Value) -> Result<serde_json::Value, Failure> {
        let trimmed = text.trim();
        bound::check_source(trimmed, false)?;
        let ast = minijinja::machinery::parse(trimmed, "<value>", Default::default())?;
        if let Some(expr) = single_expression(&ast, trimmed) {
            drop(ast);
            let v = self.eval(expr, ctx)?;
            return serde_json::to_value(&v).map_err(|e| {
                Failure::Eval(minijinja::Error::new(
                    minijinja::ErrorKind::BadSerialization,
                    e.to_string(),
                ))
            });
        }
        bound::check_template(&ast, ctx)?;
        drop(ast);
        let out = self.env.render_str(text, ctx)?;
        Ok(serde_json::Value::String(out))
    }
}

impl Engine {
    /// Renders one of stackc's own templates (`stackc init`), with the
    /// engine's settings but without the bounds on library values.
    pub fn render(&self, template: &str, ctx: &Value) -> Result<String, minijinja::Error> {
        self.env.render_str(template, ctx)
    }
}

/// The expression of a (trimmed) template that is one `{{ expr }}` and
/// nothing else: the text between the delimiters (and their whitespace
/// controls, `{{- x -}}`).
fn single_expression<'s>(ast: &Stmt<'_>, src: &'s str) -> Option<&'s str> {
    let Stmt::Template(t) = ast else { return None };
    let [Stmt::EmitExpr(_)] = t.children.as_slice() else {
        return None;
    };
    let inner = src.strip_prefix("{{")?.strip_suffix("}}")?;
    let inner = inner.strip_prefix(['-', '+']).unwrap_or(inner);
    let inner = inner.strip_suffix(['-', '+']).unwrap_or(inner);
    Some(inner.trim())
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

/// The variables an expression or a `{{ }}` template reads, as dotted
/// paths: `site.network.backend == "x"` -> `[["site", "network",
/// "backend"]]`. minijinja's own parser finds them (string literals, filter
/// names and loop variables are not variables); sorted, for determinism.
/// Text that does not parse reads nothing.
pub fn dotted_names(text: &str) -> Vec<Vec<String>> {
    static PARSER: std::sync::LazyLock<Environment<'static>> =
        std::sync::LazyLock::new(Environment::new);
    let names = if text.contains("{{") || text.contains("{%") {
        PARSER
            .template_from_str(text)
            .map(|t| t.undeclared_variables(true))
    } else {
        PARSER
            .compile_expression(text)
            .map(|e| e.undeclared_variables(true))
    };
    let mut out: Vec<Vec<String>> = names
        .unwrap_or_default()
        .into_iter()
        .map(|n| n.split('.').map(str::to_string).collect())
        .collect();
    out.sort();
    out
}

/// For an expression that read an undefined name, the closest existing
/// name: `site.regoin` -> "did you mean `site.region`?".
pub fn suggest_undefined(expr: &str, ctx: &Value) -> Option<String> {
    for segs in dotted_names(expr) {
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
                vec!["component", "replicas"],
                vec!["site", "network", "backend"]
            ]
        );
        assert_eq!(
            dotted_names("values.pod.replicas.server | int"),
            vec![vec!["values", "pod", "replicas", "server"]]
        );
        assert_eq!(
            dotted_names("http://{{ site.domain }}:{{ port }}/v3"),
            vec![vec!["port"], vec!["site", "domain"]]
        );
        assert!(dotted_names("{{ unclosed").is_empty());
    }
}
