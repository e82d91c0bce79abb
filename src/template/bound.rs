//! Bounds on library expressions, checked before they run.
//!
//! minijinja bounds instructions (fuel) and recursion, not memory: `~`
//! concatenation of large strings, string repetition, `range` loops and
//! filters such as `join` or `indent` can each allocate far more than a
//! machine has, and a long chain of operators nests deep enough to exhaust
//! a thread's stack. So every expression and template is checked first:
//!
//! - its text is at most [`MAX_SOURCE`] bytes and [`MAX_TOKENS`] tokens
//!   (which bounds how deep it nests);
//! - only the constructs values need are used: no `set`, `with`, `filter`
//!   blocks, recursive loops, `debug()`, `format` or `pprint`;
//! - an upper bound of the size of every intermediate value and of the
//!   output, computed from the parsed expression and the actual context
//!   (a path like `site.storage.ceph.monitors` is looked up, so bounds are
//!   tight where it matters), is at most [`MAX_OUTPUT`].
//!
//! Without `set` no value is reused, so sizes grow only through the
//! constructs measured here; the bound is an over-estimate, never an
//! under-estimate.

use minijinja::Value;
use minijinja::machinery::ast::{BinOpKind, CallArg, Expr, ForLoop, Stmt, UnaryOpKind};

/// Longest expression or template text.
pub const MAX_SOURCE: usize = 4096;
/// Most tokens in one expression or template.
pub const MAX_TOKENS: usize = 512;
/// Largest value or output an expression may produce, in bytes.
pub const MAX_OUTPUT: u64 = 1024 * 1024;
/// Deepest expression tree (far above what [`MAX_TOKENS`] allows).
const MAX_DEPTH: usize = 600;
/// minijinja's own limits: `range` items, a repeated string's bytes.
const RANGE_ITEMS: u64 = 100_000;
const REPEAT_BYTES: u64 = 100_000_000;

/// Why an expression was refused before it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Over a size limit (E0006).
    TooLarge(String),
    /// A construct library values do not support (E0102).
    Unsupported(String),
}

/// An upper bound of a value's display size and item count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sz {
    bytes: u64,
    items: u64,
}

const SMALL: Sz = Sz {
    bytes: 40,
    items: 1,
};

impl Sz {
    fn add(self, o: Sz) -> Sz {
        Sz {
            bytes: self.bytes.saturating_add(o.bytes),
            items: self.items.saturating_add(o.items),
        }
    }

    fn max(self, o: Sz) -> Sz {
        Sz {
            bytes: self.bytes.max(o.bytes),
            items: self.items.max(o.items),
        }
    }

    fn times(self, k: u64) -> Sz {
        Sz {
            bytes: self.bytes.saturating_mul(k),
            items: self.items.saturating_mul(k),
        }
    }

    fn grow(self, k: u64) -> Sz {
        Sz {
            bytes: self.bytes.saturating_mul(k),
            items: self.items,
        }
    }
}

/// What is known of a value before it is computed.
#[derive(Debug, Clone)]
enum Abs {
    /// The value itself (a constant, a context lookup).
    Known(Value),
    /// Only a bound.
    Bound(Sz),
}

impl Abs {
    fn size(&self) -> Sz {
        match self {
            Abs::Known(v) => size_of(v, 0),
            Abs::Bound(s) => *s,
        }
    }

    fn int(&self) -> Option<u64> {
        match self {
            Abs::Known(v) => i64::try_from(v.clone()).ok().map(|i| i.max(0) as u64),
            Abs::Bound(_) => None,
        }
    }
}

/// The display size of a value, at most a little over [`MAX_OUTPUT`]
/// (counting stops there).
fn size_of(v: &Value, depth: usize) -> Sz {
    if let Some(s) = v.as_str() {
        return Sz {
            bytes: s.len() as u64 + 2,
            items: s.chars().count() as u64,
        };
    }
    let Ok(iter) = v.try_iter() else {
        return SMALL;
    };
    if depth > 64 {
        return Sz {
            bytes: MAX_OUTPUT + 1,
            items: MAX_OUTPUT + 1,
        };
    }
    let is_map = v.kind() == minijinja::value::ValueKind::Map;
    let mut total = Sz { bytes: 2, items: 0 };
    for item in iter {
        let mut s = size_of(&item, depth + 1);
        if is_map {
            let value = v.get_item(&item).unwrap_or_default();
            s = s.add(size_of(&value, depth + 1));
        }
        total = total.add(Sz {
            bytes: s.bytes + 4,
            items: 1,
        });
        if total.bytes > MAX_OUTPUT {
            break;
        }
    }
    total
}

/// The largest item of a value (what a loop variable can be).
fn max_item(v: &Value) -> (Sz, u64) {
    let Ok(iter) = v.try_iter() else {
        return (SMALL, 0);
    };
    let mut max = Sz { bytes: 0, items: 0 };
    let mut n = 0u64;
    for item in iter {
        n += 1;
        max = max.max(size_of(&item, 1));
        if n > RANGE_ITEMS {
            break;
        }
    }
    (max, n)
}

/// Text size and token count.
pub fn check_source(src: &str, in_expr: bool) -> Result<(), Refusal> {
    if src.len() > MAX_SOURCE {
        return Err(Refusal::TooLarge(format!(
            "the expression is {} bytes long, over the limit of {MAX_SOURCE}",
            src.len()
        )));
    }
    let tokens =
        minijinja::machinery::tokenize(src, in_expr, minijinja::syntax::SyntaxConfig::default())
            .take(MAX_TOKENS + 1)
            .count();
    if tokens > MAX_TOKENS {
        return Err(Refusal::TooLarge(format!(
            "the expression has more than {MAX_TOKENS} tokens"
        )));
    }
    Ok(())
}

/// Checks a parsed expression against `ctx`.
pub fn check_expr(e: &Expr<'_>, ctx: &Value) -> Result<(), Refusal> {
    Checker::new(ctx).expr(e).map(|_| ())
}

/// Checks a parsed template against `ctx`.
pub fn check_template(s: &Stmt<'_>, ctx: &Value) -> Result<(), Refusal> {
    let out = Checker::new(ctx).stmt(s)?;
    over(out)
}

fn over(s: Sz) -> Result<(), Refusal> {
    if s.bytes > MAX_OUTPUT || s.items > MAX_OUTPUT {
        Err(Refusal::TooLarge(format!(
            "the expression can produce more than {} MiB",
            MAX_OUTPUT / (1024 * 1024)
        )))
    } else {
        Ok(())
    }
}

fn unsupported(what: &str) -> Refusal {
    Refusal::Unsupported(format!("{what} is not supported in library values"))
}

struct Checker<'c, 'a> {
    ctx: &'c Value,
    /// Loop variables in scope, innermost last.
    scope: Vec<(&'a str, Abs)>,
    depth: usize,
}

impl<'c, 'a> Checker<'c, 'a> {
    fn new(ctx: &'c Value) -> Self {
        Checker {
            ctx,
            scope: Vec::new(),
            depth: 0,
        }
    }

    fn stmts(&mut self, body: &[Stmt<'a>]) -> Result<Sz, Refusal> {
        let mut total = Sz { bytes: 0, items: 0 };
        for s in body {
            total = total.add(self.stmt(s)?);
            over(total)?;
        }
        Ok(total)
    }

    fn stmt(&mut self, s: &Stmt<'a>) -> Result<Sz, Refusal> {
        let out = match s {
            Stmt::Template(t) => self.stmts(&t.children)?,
            Stmt::EmitRaw(r) => Sz {
                bytes: r.raw.len() as u64,
                items: r.raw.len() as u64,
            },
            Stmt::EmitExpr(e) => self.expr(&e.expr)?.size(),
            Stmt::IfCond(c) => {
                self.expr(&c.expr)?;
                let t = self.stmts(&c.true_body)?;
                let f = self.stmts(&c.false_body)?;
                t.max(f)
            }
            Stmt::ForLoop(l) => self.for_loop(l)?,
            Stmt::WithBlock(_) => return Err(unsupported("`{% with %}`")),
            Stmt::Set(_) | Stmt::SetBlock(_) => return Err(unsupported("`{% set %}`")),
            Stmt::AutoEscape(_) => return Err(unsupported("`{% autoescape %}`")),
            Stmt::FilterBlock(_) => return Err(unsupported("`{% filter %}`")),
            Stmt::Do(_) => return Err(unsupported("`{% do %}`")),
        };
        over(out)?;
        Ok(out)
    }

    fn for_loop(&mut self, l: &ForLoop<'a>) -> Result<Sz, Refusal> {
        if l.recursive {
            return Err(unsupported("a recursive loop"));
        }
        let iter = self.expr(&l.iter)?;
        let (item, count) = match &iter {
            Abs::Known(v) => max_item(v),
            Abs::Bound(s) => (*s, s.items),
        };
        let before = self.scope.len();
        self.bind(&l.target, item)?;
        self.scope.push((
            "loop",
            Abs::Bound(Sz {
                bytes: 64,
                items: 16,
            }),
        ));
        if let Some(f) = &l.filter_expr {
            self.expr(f)?;
        }
        let body = self.stmts(&l.body);
        self.scope.truncate(before);
        let body = body?;
        let other = self.stmts(&l.else_body)?;
        Ok(body.times(count).max(other))
    }

    fn bind(&mut self, target: &Expr<'a>, item: Sz) -> Result<(), Refusal> {
        match target {
            Expr::Var(v) => self.scope.push((v.id, Abs::Bound(item))),
            Expr::Tuple(t) => {
                for x in &t.items {
                    self.bind(x, item)?;
                }
            }
            _ => return Err(unsupported("this loop target")),
        }
        Ok(())
    }

    fn expr(&mut self, e: &Expr<'a>) -> Result<Abs, Refusal> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Refusal::TooLarge(
                "the expression is nested too deeply".into(),
            ));
        }
        let out = self.expr_inner(e);
        self.depth -= 1;
        let out = out?;
        over(out.size())?;
        Ok(out)
    }

    fn lookup(&self, name: &str) -> Abs {
        if let Some((_, v)) = self.scope.iter().rev().find(|(n, _)| *n == name) {
            return v.clone();
        }
        match self.ctx.get_attr(name) {
            Ok(v) if !v.is_undefined() => Abs::Known(v),
            _ => Abs::Bound(Sz { bytes: 0, items: 0 }),
        }
    }

    fn expr_inner(&mut self, e: &Expr<'a>) -> Result<Abs, Refusal> {
        Ok(match e {
            Expr::Var(v) => self.lookup(v.id),
            Expr::Const(c) => Abs::Known(c.value.clone()),
            Expr::GetAttr(g) => match self.expr(&g.expr)? {
                Abs::Known(v) => match v.get_attr(g.name) {
                    Ok(x) if !x.is_undefined() => Abs::Known(x),
                    _ => Abs::Bound(Sz { bytes: 0, items: 0 }),
                },
                b => b,
            },
            Expr::GetItem(g) => {
                let base = self.expr(&g.expr)?;
                let key = self.expr(&g.subscript_expr)?;
                match (base, key) {
                    (Abs::Known(v), Abs::Known(k)) => match v.get_item(&k) {
                        Ok(x) if !x.is_undefined() => Abs::Known(x),
                        _ => Abs::Bound(Sz { bytes: 0, items: 0 }),
                    },
                    (b, _) => Abs::Bound(b.size()),
                }
            }
            Expr::Slice(s) => {
                let base = self.expr(&s.expr)?;
                for x in [&s.start, &s.stop, &s.step].into_iter().flatten() {
                    self.expr(x)?;
                }
                Abs::Bound(base.size())
            }
            Expr::UnaryOp(u) => {
                let inner = self.expr(&u.expr)?;
                match u.op {
                    UnaryOpKind::Not => Abs::Bound(SMALL),
                    UnaryOpKind::Neg => Abs::Bound(inner.size().max(SMALL)),
                }
            }
            Expr::BinOp(b) => {
                let l = self.expr(&b.left)?;
                let r = self.expr(&b.right)?;
                self.bin_op(b.op, &l, &r)?
            }
            Expr::Compare(c) => {
                self.expr(&c.expr)?;
                for op in &c.ops {
                    self.expr(&op.expr)?;
                }
                Abs::Bound(SMALL)
            }
            Expr::IfExpr(i) => {
                self.expr(&i.test_expr)?;
                let t = self.expr(&i.true_expr)?.size();
                let f = match &i.false_expr {
                    Some(f) => self.expr(f)?.size(),
                    None => SMALL,
                };
                Abs::Bound(t.max(f))
            }
            Expr::Filter(f) => {
                let input = match &f.expr {
                    Some(x) => self.expr(x)?,
                    None => Abs::Bound(Sz { bytes: 0, items: 0 }),
                };
                let args = self.args(&f.args)?;
                Abs::Bound(filter(f.name, &input, &args)?)
            }
            Expr::Test(t) => {
                self.expr(&t.expr)?;
                self.args(&t.args)?;
                Abs::Bound(SMALL)
            }
            Expr::Call(c) => {
                let args = self.args(&c.args)?;
                match &c.expr {
                    Expr::Var(v) if !self.scope.iter().any(|(n, _)| *n == v.id) => {
                        Abs::Bound(function(v.id, &args)?)
                    }
                    other => {
                        let recv = self.expr(other)?.size();
                        Abs::Bound(args.iter().fold(recv, |s, (_, a)| s.add(a.size())))
                    }
                }
            }
            Expr::List(l) => self.items(&l.items)?,
            Expr::Tuple(t) => self.items(&t.items)?,
            Expr::Map(m) => {
                let k = self.items(&m.keys)?.size();
                let v = self.items(&m.values)?.size();
                Abs::Bound(k.add(v))
            }
        })
    }

    fn items(&mut self, items: &[Expr<'a>]) -> Result<Abs, Refusal> {
        let mut total = Sz { bytes: 2, items: 0 };
        for x in items {
            let s = self.expr(x)?.size();
            total = total.add(Sz {
                bytes: s.bytes + 2,
                items: 1,
            });
            over(total)?;
        }
        Ok(Abs::Bound(total))
    }

    fn args(&mut self, args: &[CallArg<'a>]) -> Result<Vec<(Option<&'a str>, Abs)>, Refusal> {
        args.iter()
            .map(|a| match a {
                CallArg::Pos(e) => Ok((None, self.expr(e)?)),
                CallArg::Kwarg(k, e) => Ok((Some(*k), self.expr(e)?)),
                CallArg::PosSplat(_) | CallArg::KwargSplat(_) => {
                    Err(unsupported("argument splatting (`*args`, `**kwargs`)"))
                }
            })
            .collect()
    }

    fn bin_op(&self, op: BinOpKind, l: &Abs, r: &Abs) -> Result<Abs, Refusal> {
        let (ls, rs) = (l.size(), r.size());
        Ok(Abs::Bound(match op {
            BinOpKind::Eq
            | BinOpKind::Ne
            | BinOpKind::Lt
            | BinOpKind::Lte
            | BinOpKind::Gt
            | BinOpKind::Gte
            | BinOpKind::In => SMALL,
            BinOpKind::ScAnd | BinOpKind::ScOr => ls.max(rs),
            BinOpKind::Add | BinOpKind::Concat => ls.add(rs),
            BinOpKind::Sub
            | BinOpKind::Div
            | BinOpKind::FloorDiv
            | BinOpKind::Rem
            | BinOpKind::Pow => SMALL,
            // Repetition: a string or list times a count.
            BinOpKind::Mul => match (l.int(), r.int()) {
                (Some(_), Some(_)) => SMALL.max(ls).max(rs),
                (Some(k), None) => rs.times(k).max(SMALL),
                (None, Some(k)) => ls.times(k).max(SMALL),
                (None, None) => Sz {
                    bytes: REPEAT_BYTES,
                    items: REPEAT_BYTES,
                },
            },
        }))
    }
}

/// An argument by position or name.
fn arg<'x>(args: &'x [(Option<&str>, Abs)], pos: usize, name: &str) -> Option<&'x Abs> {
    args.iter()
        .find(|(k, _)| *k == Some(name))
        .or_else(|| args.iter().filter(|(k, _)| k.is_none()).nth(pos))
        .map(|(_, a)| a)
}

fn all_args(args: &[(Option<&str>, Abs)]) -> Sz {
    args.iter()
        .fold(Sz { bytes: 0, items: 0 }, |s, (_, a)| s.add(a.size()))
}

/// The size bound of a filter's result. Filters not listed are refused.
fn filter(name: &str, x: &Abs, args: &[(Option<&str>, Abs)]) -> Result<Sz, Refusal> {
    let s = x.size();
    let unknown_width = || {
        Refusal::TooLarge(format!(
            "`{name}` needs a width known before it runs (a number or a site value)"
        ))
    };
    Ok(match name {
        "length" | "count" | "int" | "float" | "bool" | "abs" | "round" | "wordcount" => SMALL,
        "lower" | "upper" | "title" | "capitalize" | "trim" | "first" | "last" | "reverse"
        | "sort" | "unique" | "safe" | "min" | "max" | "sum" | "attr" | "select" | "reject"
        | "selectattr" | "rejectattr" => s.grow(3),
        "default" | "d" => s.max(arg(args, 0, "default_value").map_or(SMALL, Abs::size)),
        "string" | "list" | "items" | "dictsort" | "split" | "lines" | "groupby" => Sz {
            bytes: s
                .bytes
                .saturating_mul(4)
                .saturating_add(s.items.saturating_mul(8)),
            items: s.items.max(s.bytes),
        },
        "escape" | "e" | "urlencode" => s.grow(6),
        "tojson" => {
            let indent = match arg(args, 0, "indent") {
                None => 0,
                Some(a) => a.int().ok_or_else(unknown_width)?,
            };
            s.grow(6).grow(1 + indent.saturating_mul(64))
        }
        "chain" | "zip" => s.add(all_args(args)),
        "batch" | "slice" => {
            let n = arg(args, 0, "count")
                .and_then(Abs::int)
                .ok_or_else(unknown_width)?;
            let fill = arg(args, 1, "fill_with").map_or(Sz { bytes: 0, items: 0 }, Abs::size);
            s.grow(2).add(fill.times(n.saturating_add(1))).add(Sz {
                bytes: n.saturating_mul(4),
                items: n,
            })
        }
        "join" => {
            let sep = arg(args, 0, "d").map_or(Sz { bytes: 0, items: 0 }, Abs::size);
            let n = s.items.max(1);
            Sz {
                bytes: s.bytes.saturating_add(n.saturating_mul(sep.bytes)),
                items: s.bytes.saturating_add(n.saturating_mul(sep.bytes)),
            }
        }
        "replace" => {
            let new = arg(args, 1, "new").map_or(SMALL, Abs::size);
            let times = match arg(args, 2, "count").and_then(Abs::int) {
                Some(c) => c,
                None => s.items.saturating_add(1),
            };
            let b = s.bytes.saturating_add(times.saturating_mul(new.bytes));
            Sz { bytes: b, items: b }
        }
        "indent" => {
            let width = match arg(args, 0, "width") {
                Some(Abs::Known(v)) if v.as_str().is_some() => {
                    v.as_str().map_or(0, |w| w.len() as u64)
                }
                Some(a) => a.int().ok_or_else(unknown_width)?,
                None => 4,
            };
            let lines = s.items.saturating_add(1);
            let b = s.bytes.saturating_add(lines.saturating_mul(width));
            Sz { bytes: b, items: b }
        }
        "map" => match arg(args, 0, "attribute") {
            Some(Abs::Known(v)) if v.as_str().is_some() && args[0].0.is_none() => {
                // `map('filter', ...)`: that filter, item by item.
                let name = v.as_str().unwrap_or_default().to_string();
                filter(&name, x, &args[1..])?
            }
            _ => s.grow(3),
        },
        "format" | "pprint" => return Err(unsupported(&format!("the `{name}` filter"))),
        other => return Err(unsupported(&format!("the `{other}` filter"))),
    })
}

/// The size bound of a global function's result.
fn function(name: &str, args: &[(Option<&str>, Abs)]) -> Result<Sz, Refusal> {
    Ok(match name {
        "range" => {
            let ints: Vec<Option<u64>> = args.iter().map(|(_, a)| a.int()).collect();
            let n = match ints.as_slice() {
                [Some(stop)] => *stop,
                [Some(start), Some(stop)] => stop.saturating_sub(*start),
                [Some(start), Some(stop), Some(step)] => {
                    stop.saturating_sub(*start) / (*step).max(1) + 1
                }
                _ => RANGE_ITEMS,
            }
            .min(RANGE_ITEMS);
            Sz {
                bytes: n.saturating_mul(24),
                items: n,
            }
        }
        "dict" | "namespace" => all_args(args).grow(2),
        "debug" => return Err(unsupported("`debug()`")),
        // Anything else is not defined: evaluation reports it.
        _ => SMALL,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(src: &str) -> Result<(), Refusal> {
        let ctx = minijinja::context! {
            site => minijinja::Value::from(minijinja::value::Serde(serde_json::json!({
                "region": "RegionOne",
                "storage": {"ceph": {"monitors": ["10.0.0.1:6789", "10.0.0.2:6789"]}},
                "network": {"external": [{"physnet": "p1", "interface": "eth1"}]},
            }))),
            component => minijinja::Value::from(minijinja::value::Serde(serde_json::json!({"replicas": 3}))),
        };
        check_source(src, false)?;
        let stmt = minijinja::machinery::parse(src, "<t>", Default::default()).expect("parses");
        check_template(&stmt, &ctx)
    }

    #[test]
    fn library_expressions_pass() {
        for ok in [
            "{{ site.storage.ceph.monitors | join(',') }}",
            "{{ (component.replicas or 3) - 1 }}",
            "{{ site.network.external | map(attribute='physnet') | join(',') }}",
            "{% for n in site.network.external %}{{ n.physnet }}:{{ n.interface }}{{ '' if loop.last else ',' }}{% endfor %}",
            "{{ 'x' * 1000 }}",
            "{{ {'a': {'b': 1}} }}",
            "{{ range(10) | join(', ') }}",
            "{{ component.replicas * 2 }}",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn blow_ups_are_refused() {
        let doubled = format!("{{{{ {} }}}}", ["('x' * 100000000)"; 5].join(" ~ "));
        for bad in [
            doubled.as_str(),
            "{{ 'x' * 100000000 }}",
            "{{ ('x' * 1000) * 1000000 }}",
            "{{ range(100000) | join('x' * 1000) }}",
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            "{{ 'x' | indent(100000000) }}",
            "{{ 'abc' | replace('', 'y' * 1000000) }}",
            "{{ site.region * component.replicas * site.region }}",
        ] {
            assert!(
                matches!(check(bad), Err(Refusal::TooLarge(_))),
                "{bad}: {:?}",
                check(bad)
            );
        }
        for bad in [
            "{% set a = 'x' %}{{ a ~ a }}",
            "{% with a = 1 %}{% endwith %}",
            "{{ debug() }}",
            "{{ 'x' | format(1) }}",
            "{{ 'x' | unknownfilter }}",
        ] {
            assert!(matches!(check(bad), Err(Refusal::Unsupported(_))), "{bad}");
        }
        let deep = format!("{{{{ {}true }}}}", "not ".repeat(5000));
        assert!(matches!(check(&deep), Err(Refusal::TooLarge(_))));
        let chain = format!("{{{{ 1{} }}}}", " | abs".repeat(600));
        assert!(matches!(check(&chain), Err(Refusal::TooLarge(_))));
    }
}
