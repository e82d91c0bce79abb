//! The deployment plan: which components a site runs (its services plus the
//! closure of their requirements), the dependency graph, readiness groups
//! (cycles) and tiers.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeFiltered;

use super::Library;
use crate::diagnostic::{Code, Diagnostic};
use crate::template::Engine;

/// Why a component is in the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// Listed in `spec.services`.
    Listed,
    /// Added because another component requires it.
    RequiredBy(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// A hard requirement.
    Requires,
    /// An integration between two enabled components (soft ordering).
    Integrates,
}

/// `from` deploys after `to`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
}

#[derive(Debug, Clone)]
pub struct Plan {
    /// Enabled components in name order, with the reason.
    pub components: BTreeMap<String, Why>,
    /// Dependency edges between enabled components, sorted.
    pub edges: Vec<Edge>,
    /// Readiness groups: components that depend on each other (a cycle
    /// through an integration, like nova <-> neutron). Each sorted; sorted.
    pub groups: Vec<Vec<String>>,
    /// Deployment tier of every component (0 first).
    pub tiers: BTreeMap<String, u32>,
}

impl Plan {
    /// The components `name` waits for: its dependencies outside its own
    /// readiness group, sorted.
    pub fn depends_on(&self, name: &str) -> Vec<String> {
        let group = self.group_of(name);
        let mut out: Vec<String> = self
            .edges
            .iter()
            .filter(|e| e.from == name && group.is_none_or(|g| !g.contains(&e.to)))
            .map(|e| e.to.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The readiness group `name` belongs to, if any.
    pub fn group_of(&self, name: &str) -> Option<&Vec<String>> {
        self.groups.iter().find(|g| g.iter().any(|m| m == name))
    }

    /// The components of each tier, by name; tiers in order, none empty.
    pub fn by_tier(&self) -> BTreeMap<u32, Vec<&String>> {
        let mut out: BTreeMap<u32, Vec<&String>> = BTreeMap::new();
        for (name, tier) in &self.tiers {
            out.entry(*tier).or_default().push(name);
        }
        out
    }

    /// Components in deployment order: by tier, then name.
    pub fn order(&self) -> Vec<String> {
        let mut v: Vec<(u32, String)> = self.tiers.iter().map(|(n, t)| (*t, n.clone())).collect();
        v.sort();
        v.into_iter().map(|(_, n)| n).collect()
    }
}

/// Computes the plan. `site` is the expression context (`{site: ...}`) for
/// conditional requirements; `listed` the site's services with their
/// `enabled` flag.
pub fn plan(
    lib: &Library,
    listed: &[(String, bool)],
    ctx: &minijinja::Value,
    engine: &Engine,
) -> Result<Plan, Vec<Diagnostic>> {
    let disabled: BTreeSet<&str> = listed
        .iter()
        .filter(|(_, e)| !e)
        .map(|(n, _)| n.as_str())
        .collect();
    let mut components: BTreeMap<String, Why> = BTreeMap::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    for (name, enabled) in listed {
        if *enabled && lib.components.contains_key(name) {
            components.insert(name.clone(), Why::Listed);
            queue.push_back(name.clone());
        }
    }
    let mut diags = Vec::new();
    let holds =
        |comp: &str, field: &str, i: usize, when: Option<&str>, diags: &mut Vec<Diagnostic>| {
            lib.components[comp]
                .when_holds(field, i, when, engine, ctx)
                .unwrap_or_else(|d| {
                    diags.push(d);
                    false
                })
        };
    // Requirement closure.
    let mut requires: Vec<Edge> = Vec::new();
    while let Some(cur) = queue.pop_front() {
        let c = &lib.components[&cur];
        for (i, req) in c.def().requires.iter().enumerate() {
            if !holds(&cur, "requires", i, req.condition(), &mut diags)
                || disabled.contains(req.name())
            {
                continue;
            }
            requires.push(Edge {
                from: cur.clone(),
                to: req.name().to_string(),
                kind: EdgeKind::Requires,
            });
            if !components.contains_key(req.name()) {
                components.insert(req.name().to_string(), Why::RequiredBy(cur.clone()));
                queue.push_back(req.name().to_string());
            }
        }
    }
    // Integrations between enabled components.
    let mut edges = requires;
    for (name, _) in components.iter() {
        let c = &lib.components[name];
        for (i, req) in c.def().integrates.iter().enumerate() {
            if components.contains_key(req.name())
                && holds(name, "integrates", i, req.condition(), &mut diags)
            {
                edges.push(Edge {
                    from: name.clone(),
                    to: req.name().to_string(),
                    kind: EdgeKind::Integrates,
                });
            }
        }
    }
    edges.sort();
    edges.dedup_by(|a, b| a.from == b.from && a.to == b.to);
    if !diags.is_empty() {
        return Err(diags);
    }

    let mut graph: DiGraph<String, EdgeKind> = DiGraph::new();
    let index: BTreeMap<String, NodeIndex> = components
        .keys()
        .map(|n| (n.clone(), graph.add_node(n.clone())))
        .collect();
    for e in &edges {
        graph.add_edge(index[&e.from], index[&e.to], e.kind);
    }

    // A cycle of hard requirements can never be deployed.
    let hard = EdgeFiltered::from_fn(&graph, |e| *e.weight() == EdgeKind::Requires);
    for scc in tarjan_scc(&hard) {
        let self_loop = scc.len() == 1
            && graph
                .edges_connecting(scc[0], scc[0])
                .any(|e| *e.weight() == EdgeKind::Requires);
        if scc.len() > 1 || self_loop {
            let mut names: Vec<String> = scc.iter().map(|i| graph[*i].clone()).collect();
            names.sort();
            let first = &names[0];
            diags.push(
                Diagnostic::error(
                    Code::RequirementCycle,
                    lib.components[first].doc().span.with_len(0),
                    format!(
                        "components require each other in a cycle: {}",
                        names.join(" → ")
                    ),
                )
                .help(
                    "a cycle of `requires` can never be deployed; turn one edge into `integrates`",
                ),
            );
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }

    // Readiness groups and tiers over the condensation.
    let sccs = tarjan_scc(&graph);
    let mut group_of: BTreeMap<NodeIndex, usize> = BTreeMap::new();
    for (gi, scc) in sccs.iter().enumerate() {
        for n in scc {
            group_of.insert(*n, gi);
        }
    }
    let mut cond: DiGraph<usize, ()> = DiGraph::new();
    let cidx: Vec<NodeIndex> = (0..sccs.len()).map(|i| cond.add_node(i)).collect();
    for e in graph.edge_indices() {
        let (a, b) = graph.edge_endpoints(e).expect("edge exists");
        let (ga, gb) = (group_of[&a], group_of[&b]);
        if ga != gb && !cond.contains_edge(cidx[ga], cidx[gb]) {
            cond.add_edge(cidx[ga], cidx[gb], ());
        }
    }
    let order = toposort(&cond, None).map_err(|_| Vec::<Diagnostic>::new())?;
    let mut group_tier = vec![0u32; sccs.len()];
    // Dependencies come after dependents in a toposort of "depends on"
    // edges: walk it backwards so every dependency is settled first.
    for gi in order.iter().rev() {
        let g = cond[*gi];
        let base = sccs[g]
            .iter()
            .map(|n| lib.components[&graph[*n]].def().tier)
            .max()
            .unwrap_or(0);
        let after = cond
            .neighbors(*gi)
            .map(|d| group_tier[cond[d]] + 1)
            .max()
            .unwrap_or(0);
        group_tier[g] = base.max(after);
    }
    let tiers = index
        .iter()
        .map(|(n, i)| (n.clone(), group_tier[group_of[i]]))
        .collect();
    let mut groups: Vec<Vec<String>> = sccs
        .iter()
        .filter(|s| s.len() > 1)
        .map(|s| {
            let mut v: Vec<String> = s.iter().map(|i| graph[*i].clone()).collect();
            v.sort();
            v
        })
        .collect();
    groups.sort();
    Ok(Plan {
        components,
        edges,
        groups,
        tiers,
    })
}
