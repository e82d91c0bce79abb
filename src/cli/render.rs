use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use rayon::prelude::*;

use super::{Ctx, Exit, exit_for};
use crate::diagnostic::{Code, Diagnostic, MessageFormat};
use crate::emit;
use crate::library::Library;
use crate::progress::Progress;
use crate::render::{self, Manifests, Target};
use crate::source::Files;
use crate::{resolve, validate};

/// Render sites into GitOps manifests: `<out>/<site>/`.
///
/// Each SITE is a site file, or a directory whose *.yaml files are sites;
/// several sites render in parallel. The site directory is replaced
/// atomically; stackc only replaces directories it created.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Site files or directories of site files.
    #[arg(required = true, value_name = "SITE")]
    pub sites: Vec<PathBuf>,
    /// Output directory; each site renders into `<DIR>/<site name>/`.
    #[arg(short, long, value_name = "DIR", default_value = "rendered")]
    pub output: PathBuf,
    /// GitOps flavour.
    #[arg(long, value_enum, default_value_t = Target::Flux)]
    pub target: Target,
    /// Render in memory and compare with the output directory: exit 1 and
    /// list stale, missing and extra files when they differ (the CI drift
    /// gate). Writes nothing.
    #[arg(long)]
    pub check: bool,
}

/// One site's outcome.
struct Outcome {
    path: PathBuf,
    files: Files,
    diagnostics: Vec<Diagnostic>,
    manifests: Option<Manifests>,
}

fn render_one(path: PathBuf, lib: &Library, target: Target) -> Outcome {
    let check = validate::check_file(&path, lib);
    let validate::SiteCheck {
        files,
        mut diagnostics,
        site,
    } = check;
    let manifests = site.and_then(|site| match resolve::resolve(&site, lib) {
        Ok(resolved) => Some(render::render(&resolved, target)),
        Err(d) => {
            diagnostics.extend(d);
            None
        }
    });
    Outcome {
        path,
        files,
        diagnostics,
        manifests,
    }
}

pub fn run(ctx: &mut Ctx, args: RenderArgs) -> Exit {
    let (lib, paths) = match ctx.library_and_sites(&args.sites) {
        Ok(found) => found,
        Err(exit) => return exit,
    };
    // Validate, resolve and render in parallel; report in input order.
    let progress = Progress::new(paths.len(), "rendering");
    let outcomes: Vec<Outcome> = paths
        .into_par_iter()
        .map(|p| {
            let o = render_one(p, &lib, args.target);
            progress.step(&o.path.display().to_string());
            o
        })
        .collect();
    progress.finish();
    let mut exit = Exit::Ok;
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut ready = Vec::new();
    for o in outcomes {
        exit = exit.max(exit_for(&o.diagnostics));
        if o.manifests.is_none() {
            exit = exit.max(Exit::Failure);
        }
        let mut diags = o.diagnostics;
        if let Some(m) = &o.manifests {
            if let Some(first) = seen.get(&m.site) {
                diags.push(
                    Diagnostic::at_path(Code::SiteConflict, o.path.display().to_string(), format!("site `{}` is also defined by {}", m.site, first.display()))
                        .help("site names (metadata.name) must be unique: each names its output directory"),
                );
                exit = exit.max(Exit::Failure);
            } else {
                seen.insert(m.site.clone(), o.path.clone());
                ready.push(m.clone());
            }
        }
        ctx.report.emit(&o.files, diags);
    }
    if exit != Exit::Ok {
        return exit;
    }
    let human = ctx.report.format() == MessageFormat::Human;
    if args.check {
        // No render swaps trees while the comparison reads them.
        let _lock = emit::lock_shared(&args.output);
        let mut drifted = false;
        for m in &ready {
            let drift = emit::check(&args.output, m);
            let dir = args.output.join(&m.site);
            if drift.is_clean() {
                if human {
                    eprintln!("up to date: {}", dir.display());
                }
                continue;
            }
            drifted = true;
            let mut diags = Vec::new();
            for (kind, list, what) in [
                ("stale", &drift.stale, "differs from what the sites render"),
                ("missing", &drift.missing, "rendered, but not on disk"),
                ("extra", &drift.extra, "on disk, but no longer rendered"),
            ] {
                for rel in list {
                    let path = dir.join(rel).display().to_string();
                    if human {
                        println!("{kind}: {path}");
                    } else {
                        diags.push(
                            Diagnostic::at_path(Code::Stale, path, format!("{kind}: {what}"))
                                .help("run `stackc render` and commit the result"),
                        );
                    }
                }
            }
            ctx.report.emit(&Files::new(), diags);
        }
        if drifted {
            if human {
                eprintln!(
                    "the rendered output is out of date: run `stackc render` and commit the result"
                );
            }
            return Exit::Failure;
        }
        return Exit::Ok;
    }
    // This process owns the output directory until every site is written;
    // writes are independent per site directory.
    let out = match emit::Output::open(&args.output, || {
        if human {
            eprintln!(
                "waiting for another stackc process writing to {}",
                args.output.display()
            );
        }
    }) {
        Ok(out) => out,
        Err(d) => return ctx.fail(d),
    };
    let written: Vec<Result<(PathBuf, emit::Written, usize), Diagnostic>> = ready
        .par_iter()
        .map(|m| out.write(m).map(|(p, w)| (p, w, m.files.len())))
        .collect();
    for w in written {
        match w {
            Ok((dir, how, n)) => {
                if human {
                    let what = match how {
                        emit::Written::Replaced => "rendered",
                        emit::Written::Unchanged => "unchanged",
                    };
                    eprintln!(
                        "{what} {} ({}, {n} files)",
                        dir.display(),
                        args.target.as_str()
                    );
                }
            }
            Err(d) => {
                exit = exit.max(exit_for(std::slice::from_ref(&d)).max(Exit::Failure));
                ctx.report.emit(&Files::new(), vec![d]);
            }
        }
    }
    exit
}
