//! `stackc graph`: the component dependency graph with tiers, as Graphviz
//! DOT or Mermaid.

use petgraph::dot::{Config, Dot};
use petgraph::graph::DiGraph;

use crate::library::{ComponentKind, Library};
use crate::resolve::{EdgeKind, Plan};

/// Graphviz DOT. Solid edges are requirements, dashed ones integrations;
/// components of a readiness group (a cycle) share a colour; nodes of one
/// tier share a rank.
pub fn dot(plan: &Plan, lib: &Library) -> String {
    let mut g: DiGraph<String, EdgeKind> = DiGraph::new();
    let order = plan.order();
    let idx: std::collections::BTreeMap<&str, _> = order
        .iter()
        .map(|n| (n.as_str(), g.add_node(n.clone())))
        .collect();
    for e in &plan.edges {
        g.add_edge(idx[e.from.as_str()], idx[e.to.as_str()], e.kind);
    }
    let edge_attr = |_: &DiGraph<String, EdgeKind>,
                     e: petgraph::graph::EdgeReference<'_, EdgeKind>| match e
        .weight()
    {
        EdgeKind::Requires => "style=solid".to_string(),
        EdgeKind::Integrates => "style=dashed, label=\"integrates\"".to_string(),
    };
    let node_attr = |_: &DiGraph<String, EdgeKind>,
                     (_, name): (petgraph::graph::NodeIndex, &String)| {
        let shape = match lib.components[name].def().kind {
            ComponentKind::Service => "box",
            ComponentKind::Infrastructure => "cylinder",
        };
        let group = plan
            .group_of(name)
            .map(|_| ", style=filled, fillcolor=\"#fde2c8\"")
            .unwrap_or("");
        format!(
            "label=\"{name}\\ntier {}\", shape={shape}{group}",
            plan.tiers[name]
        )
    };
    let body = format!(
        "{:?}",
        Dot::with_attr_getters(
            &g,
            &[
                Config::GraphContentOnly,
                Config::NodeNoLabel,
                Config::EdgeNoLabel
            ],
            &edge_attr,
            &node_attr
        )
    );
    let mut out =
        String::from("digraph stackc {\n    rankdir=BT;\n    node [fontname=\"Helvetica\"];\n");
    out.push_str(&body);
    for members in plan.by_tier().values() {
        let members: Vec<String> = members
            .iter()
            .map(|n| idx[n.as_str()].index().to_string())
            .collect();
        out.push_str(&format!("    {{ rank=same; {}; }}\n", members.join("; ")));
    }
    out.push_str("}\n");
    out
}

/// Mermaid flowchart: one subgraph per tier, `-->` requirements, `-.->`
/// integrations; readiness groups are marked with a class.
pub fn mermaid(plan: &Plan, lib: &Library) -> String {
    let mut out = String::from("flowchart BT\n");
    for (tier, members) in plan.by_tier() {
        out.push_str(&format!("  subgraph tier{tier}[\"tier {tier}\"]\n"));
        for n in members {
            let shape = match lib.components[n].def().kind {
                ComponentKind::Service => format!("{n}[\"{n}\"]"),
                ComponentKind::Infrastructure => format!("{n}[(\"{n}\")]"),
            };
            out.push_str(&format!("    {shape}\n"));
        }
        out.push_str("  end\n");
    }
    for e in &plan.edges {
        let arrow = match e.kind {
            EdgeKind::Requires => "-->",
            EdgeKind::Integrates => "-.->",
        };
        out.push_str(&format!("  {} {arrow} {}\n", e.from, e.to));
    }
    for (i, g) in plan.groups.iter().enumerate() {
        out.push_str(&format!(
            "  %% readiness group {}: {}\n",
            i + 1,
            g.join(", ")
        ));
        out.push_str(&format!("  class {} readiness\n", g.join(",")));
    }
    if !plan.groups.is_empty() {
        out.push_str("  classDef readiness fill:#fde2c8\n");
    }
    out
}
