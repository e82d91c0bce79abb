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
            out.push_str(&format!(
                "library: {}\n\ncomponents ({}):\n",
                lib.root,
                lib.components.len()
            ));
            let w = lib.components.keys().map(String::len).max().unwrap_or(0);
            for c in lib.components.values() {
                out.push_str(&format!(
                    "  {:w$}  {:14}  {}\n",
                    c.name,
                    c.def().kind.as_str(),
                    c.def().description
                ));
                let req: Vec<String> = c
                    .def()
                    .requires
                    .iter()
                    .map(|r| match r.condition() {
                        Some(cond) => format!("{} (when {cond})", r.name()),
                        None => r.name().to_string(),
                    })
                    .collect();
                let pad = " ".repeat(w + 4);
                if !req.is_empty() {
                    out.push_str(&format!("{pad}requires: {}\n", req.join(", ")));
                }
                let provides: Vec<&str> = c.def().provides.keys().map(String::as_str).collect();
                if !provides.is_empty() {
                    out.push_str(&format!("{pad}provides: {}\n", provides.join(", ")));
                }
            }
            out.push_str("\nreleases:\n");
            for r in lib.releases.values() {
                let d = &r.def;
                let mut facts = vec![format!(
                    "{}{}",
                    d.codename,
                    if d.slurp { " (SLURP)" } else { "" }
                )];
                if let Some(s) = &d.chart_series {
                    facts.push(format!("charts of the {s} series"));
                }
                if let Some(i) = &d.images {
                    facts.push(format!(
                        "images ubuntu_{}, RabbitMQ {}",
                        i.distro, i.rabbitmq
                    ));
                }
                if !d.upgrades_from.is_empty() {
                    facts.push(format!("upgrades from {}", d.upgrades_from.join(", ")));
                }
                out.push_str(&format!("  {}  {}\n", d.name, facts.join(", ")));
            }
            for (name, r) in &lib.retired {
                out.push_str(&format!("  {name}  {}, retired\n", r.codename));
            }
            out.push_str("\nprofiles:\n");
            for p in lib.profiles.values() {
                out.push_str(&format!("  {:8}  {}\n", p.name, p.def.description));
            }
            if !lib.layers.is_empty() {
                out.push_str("\nlayers (lowest first):\n");
                for l in &lib.layers {
                    out.push_str(&format!(
                        "  {}  {}{}\n",
                        l.name,
                        l.dir,
                        l.description
                            .as_deref()
                            .map(|d| format!(" - {d}"))
                            .unwrap_or_default()
                    ));
                }
            }
            print!("{out}");
            Exit::Ok
        }
    }
}
