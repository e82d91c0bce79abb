use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{Ctx, Exit};
use crate::graph;

/// Print the site's component dependency graph with deployment tiers.
///
/// Solid edges are requirements, dashed edges integrations between enabled
/// components. Components that wait on each other (a readiness cycle, like
/// nova and neutron) are grouped into one tier.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The site file.
    #[arg(value_name = "SITE")]
    pub site: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Dot)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
}

pub fn run(ctx: &mut Ctx, args: GraphArgs) -> Exit {
    let (lib, _files, resolved) = match ctx.resolved(&args.site) {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    match args.format {
        Format::Dot => print!("{}", graph::dot(&resolved.plan, &lib)),
        Format::Mermaid => print!("{}", graph::mermaid(&resolved.plan, &lib)),
    }
    Exit::Ok
}
