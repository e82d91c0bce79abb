//! Chart keys a values layer writes must exist in the chart: Helm ignores
//! unknown keys silently; stackc reports them with the closest known key.

use super::{ChartKeys, KeyCheck};
use crate::diagnostic::{Code, Diagnostic, did_you_mean, quoted_list};
use crate::yaml::{Node, PathSeg, Value, path_to_string};

/// Reports every key under `values` (a chart values tree) that `keys` does
/// not know. `what` names the layer in the message.
pub fn check(values: &Node, keys: &ChartKeys, chart: &str, what: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(values, keys, chart, what, &mut path, &mut out);
    out
}

fn walk(
    node: &Node,
    keys: &ChartKeys,
    chart: &str,
    what: &str,
    path: &mut Vec<PathSeg>,
    out: &mut Vec<Diagnostic>,
) {
    let Value::Map(m) = &node.value else { return };
    for (k, e) in m {
        path.push(PathSeg::Key(k.clone()));
        match keys.check(path) {
            KeyCheck::Known => walk(&e.node, keys, chart, what, path, out),
            KeyCheck::Unknown { depth, siblings } if depth + 1 == path.len() => {
                let at = path_to_string(path);
                let help = match did_you_mean(k, siblings.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`? (Helm would silently ignore `{k}`)"),
                    None if siblings.is_empty() => {
                        format!("the `{chart}` chart takes no keys here")
                    }
                    None => format!(
                        "the `{chart}` chart has here: {}",
                        quoted_list(siblings.iter().take(12))
                    ),
                };
                out.push(
                    Diagnostic::error(
                        Code::UnknownChartKey,
                        e.key_span,
                        format!("the `{chart}` chart has no value `{at}` ({what})"),
                    )
                    .label("unknown chart key")
                    .help(help),
                );
            }
            KeyCheck::Unknown { .. } => {}
        }
        path.pop();
    }
}
