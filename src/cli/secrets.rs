use std::path::PathBuf;

use clap::Args;

use super::{Ctx, Exit};
use crate::render::secrets_plan;

/// List the secrets a site needs in its secret store.
///
/// Prints every remote key (`<prefix>/<role>`) that the rendered
/// ExternalSecrets read, with the chart values or Secrets it fills. Create
/// these in the store named by `spec.secrets.store`; stackc never sees the
/// values.
#[derive(Debug, Args)]
pub struct SecretsArgs {
    /// The site file.
    #[arg(value_name = "SITE")]
    pub site: PathBuf,
}

pub fn run(ctx: &mut Ctx, args: SecretsArgs) -> Exit {
    let (_lib, _files, resolved) = match ctx.resolved(&args.site) {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    let plan = secrets_plan(&resolved);
    let store = &resolved.site.spec.secrets.store;
    println!(
        "# {} keys in {} {} (remote key: used by)",
        plan.keys.len(),
        store.kind.as_str(),
        store.name
    );
    for (key, uses) in &plan.keys {
        println!("{key}");
        for (c, what) in uses {
            println!("    {c}: {what}");
        }
    }
    Exit::Ok
}
