use std::path::PathBuf;

use clap::Args;

use super::{Ctx, Exit, exit_for};
use crate::diagnostic::MessageFormat;
use crate::validate;

/// Check site files completely and report every problem, located.
///
/// Each SITE is a site file, or a directory whose *.yaml files are sites.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Site files or directories of site files.
    #[arg(required = true, value_name = "SITE")]
    pub sites: Vec<PathBuf>,
}

pub fn run(ctx: &mut Ctx, args: ValidateArgs) -> Exit {
    let (lib, paths) = match ctx.library_and_sites(&args.sites) {
        Ok(found) => found,
        Err(exit) => return exit,
    };
    let mut exit = Exit::Ok;
    for path in &paths {
        let check = validate::check_file(path, &lib);
        exit = exit.max(exit_for(&check.diagnostics));
        if ctx.report.format() == MessageFormat::Human
            && let Some(s) = &check.site
        {
            let spec = &s.site.spec;
            println!(
                "ok: {} (site `{}`, release {}, profile {}, {} service entries)",
                path.display(),
                s.site.metadata.name,
                spec.release,
                spec.profile,
                spec.services.len()
            );
        }
        ctx.report.emit(&check.files, check.diagnostics);
    }
    exit
}
