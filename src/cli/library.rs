use clap::{Args, Subcommand};

use super::{Ctx, Exit};

/// Inspect the service library.
#[derive(Debug, Args)]
pub struct LibraryArgs {
    #[command(subcommand)]
    pub command: LibraryCommand,
}

#[derive(Debug, Subcommand)]
pub enum LibraryCommand {
    /// List components, releases and profiles.
    List,
}

pub fn run(ctx: &mut Ctx, args: LibraryArgs) -> Exit {
    let lib = match ctx.library() {
        Ok(lib) => lib,
        Err(exit) => return exit,
    };
    match args.command {
        LibraryCommand::List => {
            let mut out = String::new();
            out.push_str(&format!("library: {}\n\ncomponents:\n", lib.root));
            let w = lib.components.keys().map(String::len).max().unwrap_or(0);
            for c in lib.components.values() {
                let req: Vec<&str> = c.def.requires.iter().map(|r| r.name()).collect();
                out.push_str(&format!(
                    "  {:w$}  {:14}  {}{}\n",
                    c.name,
                    c.def.kind.as_str(),
                    c.def.description,
                    if req.is_empty() {
                        String::new()
                    } else {
                        format!(" (requires {})", req.join(", "))
                    },
                ));
            }
            out.push_str("\nreleases:\n");
            for r in lib.releases.values() {
                let d = &r.def;
                out.push_str(&format!(
                    "  {}  {}{}{}\n",
                    d.name,
                    d.codename,
                    if d.slurp { " (SLURP)" } else { "" },
                    if d.upgrades_from.is_empty() {
                        String::new()
                    } else {
                        format!(", upgrades from {}", d.upgrades_from.join(", "))
                    }
                ));
            }
            out.push_str("\nprofiles:\n");
            for p in lib.profiles.values() {
                out.push_str(&format!("  {:8}  {}\n", p.name, p.def.description));
            }
            print!("{out}");
            Exit::Ok
        }
    }
}
