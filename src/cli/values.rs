use std::path::PathBuf;

use clap::Args;

use super::{Ctx, Exit};
use crate::diagnostic::{Code, Diagnostic, suggest};
use crate::values_output;

/// Print the resolved chart values of a site's components (an extension:
/// what each chart receives, before rendering).
///
/// One YAML document per component, in deployment order, keys sorted.
/// Secret values are never included: they come from the secret store.
#[derive(Debug, Args)]
pub struct ValuesArgs {
    /// The site file.
    #[arg(value_name = "SITE")]
    pub site: PathBuf,
    /// Only these components (default: all).
    #[arg(value_name = "COMPONENT")]
    pub components: Vec<String>,
}

pub fn run(ctx: &mut Ctx, args: ValuesArgs) -> Exit {
    let (_lib, _files, resolved) = match ctx.resolved(&args.site) {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    for want in &args.components {
        if !resolved.components.contains_key(want) {
            let help = suggest(
                want,
                resolved.components.keys().map(String::as_str),
                "components of this site",
            );
            return ctx.fail(
                Diagnostic::at_path(Code::UnknownPath, want, "not a component of this site")
                    .help(help),
            );
        }
    }
    print!("{}", values_output::render(&resolved, &args.components));
    Exit::Ok
}
