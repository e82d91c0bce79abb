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

    /// Evaluates one expression (`site.network.backend == "ovn"`).
    pub fn eval(&self, expr: &str, ctx: &Value) -> Result<Value, minijinja::Error> {
        self.env.compile_expression(expr)?.eval(ctx)
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
