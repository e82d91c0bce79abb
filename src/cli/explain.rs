use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{Ctx, Exit};
use crate::explain;

/// Show the final value of a chart value path and every layer that set it.
///
/// PATH is `<component>.<path inside the chart values>`, e.g.
/// `nova.pod.replicas.osapi`; for a cluster on the cloud,
/// `clusters.<cluster>.cloud.conf.<Section>.<key>`,
/// `clusters.<cluster>.manila.<key>` or `clusters.<cluster>.<chart>.<path>`. Layers are listed lowest precedence first:
/// component defaults, release, profile, each --layer, site spec, then
/// `services.<name>.values`; the last one wins.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The site file.
    #[arg(value_name = "SITE")]
    pub site: PathBuf,
    /// The value path, e.g. `nova.pod.replicas.osapi`.
    #[arg(value_name = "PATH")]
    pub path: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(ctx: &mut Ctx, args: ExplainArgs) -> Exit {
    let (lib, files, resolved) = match ctx.resolved(&args.site) {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    match explain::explain(&resolved, &lib, &files, &args.path) {
        Ok(e) => {
            match args.format {
                Format::Text => print!("{}", explain::to_text(&e)),
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&e).expect("serialisable")
                ),
            }
            Exit::Ok
        }
        Err(d) => {
            ctx.fail(d);
            Exit::Failure
        }
    }
}
