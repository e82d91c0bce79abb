//! Evaluating values files: expression leaves become values, fragments are
//! merged when their condition holds.
//!
//! A string leaf that is exactly one `{{ expression }}` keeps the
//! expression's type (number, bool, map, list; `none` deletes the key);
//! any other string containing `{{`/`{%` is rendered as text. Nothing is
//! ever templated as YAML text.

use minijinja::Value as MjValue;

use super::merge::{from_json, merge};
use super::origin::SiteSpans;
use crate::diagnostic::Diagnostic;
use crate::library::ValuesFile;
use crate::source::Span;
use crate::template::{self, Engine};
use crate::yaml::{Entry, Node, Value};

/// Where a computed value comes from: given the expression, the span of
/// the data it reads (a site field, a provider's value), if known.
pub type Attribution<'a> = &'a dyn Fn(&str) -> Option<Span>;

/// Attribution of site-mapping values to the site file.
pub fn site_fields<'a>(
    spans: &'a SiteSpans<'a>,
    component: &'a str,
) -> impl Fn(&str) -> Option<Span> + 'a {
    move |expr| spans.attribute(expr, component)
}

pub struct Evaluator<'a> {
    pub engine: &'a Engine,
    pub ctx: &'a MjValue,
    pub attribution: Option<Attribution<'a>>,
}

impl Evaluator<'_> {
    /// The values of a file, fragments merged in order.
    pub fn file(&self, vf: &ValuesFile, diags: &mut Vec<Diagnostic>) -> Node {
        let mut out = self.tree(&vf.values, diags);
        for f in &vf.fragments {
            match self.engine.eval_bool(&f.when, self.ctx) {
                Ok(true) => merge(&mut out, self.tree(&f.values, diags)),
                Ok(false) => {}
                Err(e) => diags.push(expr_error(f.when_span, &f.when, &e, self.ctx)),
            }
        }
        out
    }

    /// Evaluates the expression leaves of a tree.
    pub fn tree(&self, node: &Node, diags: &mut Vec<Diagnostic>) -> Node {
        match &node.value {
            Value::Map(m) => Node::new(
                Value::Map(
                    m.iter()
                        .map(|(k, e)| {
                            (
                                k.clone(),
                                Entry {
                                    key_span: e.key_span,
                                    node: self.tree(&e.node, diags),
                                },
                            )
                        })
                        .collect(),
                ),
                node.span,
            ),
            Value::Seq(items) => Node::new(
                Value::Seq(items.iter().map(|n| self.tree(n, diags)).collect()),
                node.span,
            ),
            Value::String(s) if is_template(s) => match self.string(s) {
                Ok(v) => {
                    let span = self.attribution.and_then(|a| a(s)).unwrap_or(node.span);
                    from_json(&v, span)
                }
                Err(e) => {
                    diags.push(expr_error(node.span, s, &e, self.ctx));
                    Node::new(Value::Null, node.span)
                }
            },
            _ => node.clone(),
        }
    }

    fn string(&self, s: &str) -> Result<serde_json::Value, template::Failure> {
        self.engine.value(s, self.ctx)
    }
}

/// Whether a string holds an expression (`{{ }}` or `{% %}`).
pub fn is_template(s: &str) -> bool {
    s.contains("{{") || s.contains("{%")
}

fn expr_error(span: Span, expr: &str, e: &template::Failure, ctx: &MjValue) -> Diagnostic {
    let shown: String = expr.chars().take(80).collect();
    let help = match e {
        template::Failure::Refused(_) => "library values are small: keep expressions short and their results under the limits in library/README.md".to_string(),
        template::Failure::Eval(_) => template::suggest_undefined(expr, ctx)
            .unwrap_or_else(|| "check names against the expression context in library/README.md (undefined names are errors)".into()),
    };
    Diagnostic::error(
        e.code(),
        span,
        format!("expression `{shown}` failed: {}", e.describe()),
    )
    .label("in this expression")
    .help(help)
}
