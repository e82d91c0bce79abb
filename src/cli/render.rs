use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use rayon::prelude::*;

use super::{Ctx, Exit, exit_for};
use crate::diagnostic::{Code, Diagnostic, MessageFormat};
use crate::emit;
use crate::library::Library;
use crate::progress::Progress;
use crate::render::{self, Manifests, Target};
use crate::resolve::Resolved;
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

/// A site file that validated and resolved.
pub(super) struct Site {
    /// The site's files and the library's (what its diagnostics point into).
    pub files: Files,
    pub resolved: Resolved,
}

/// Validates and resolves site files in parallel; prints their diagnostics
/// in input order and rejects two sites with one name.
pub(super) fn resolve_all(
    ctx: &mut Ctx,
    lib: &Library,
    paths: Vec<PathBuf>,
) -> Result<Vec<Site>, Exit> {
    let outcomes: Vec<(PathBuf, Files, Vec<Diagnostic>, Option<Resolved>)> = paths
        .into_par_iter()
        .map(|path| {
            let validate::SiteCheck {
                files,
                mut diagnostics,
                site,
            } = validate::check_file(&path, lib);
            let resolved = site.and_then(|site| match resolve::resolve(&site, lib) {
                Ok(r) => Some(r),
                Err(d) => {
                    diagnostics.extend(d);
                    None
                }
            });
            (path, files, diagnostics, resolved)
        })
        .collect();
    let mut exit = Exit::Ok;
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut ready = Vec::new();
    for (path, files, mut diags, resolved) in outcomes {
        exit = exit.max(exit_for(&diags));
        let mut keep = None;
        match resolved {
            None => exit = exit.max(Exit::Failure),
            Some(resolved) => {
                let name = resolved.site.metadata.name.to_string();
                if let Some(first) = seen.get(&name) {
                    diags.push(
                        Diagnostic::at_path(Code::SiteConflict, path.display().to_string(), format!("site `{name}` is also defined by {}", first.display()))
                            .help("site names (metadata.name) must be unique: each names its output directory"),
                    );
                    exit = exit.max(Exit::Failure);
                } else {
                    seen.insert(name, path);
                    keep = Some(resolved);
                }
            }
        }
        ctx.report.emit(&files, diags);
        if let Some(resolved) = keep {
            ready.push(Site { files, resolved });
        }
    }
    if exit == Exit::Ok {
        Ok(ready)
    } else {
        Err(exit)
    }
}

pub fn run(ctx: &mut Ctx, args: RenderArgs) -> Exit {
    let (lib, paths) = match ctx.library_and_sites(&args.sites) {
        Ok(found) => found,
        Err(exit) => return exit,
    };
    let sites = match resolve_all(ctx, &lib, paths) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let progress = Progress::new(sites.len(), "rendering");
    let ready: Vec<(Manifests, String)> = sites
        .par_iter()
        .map(|s| {
            let m = render::render(&s.resolved, args.target);
            progress.step(&m.site);
            let note = format!("{}, {} files", args.target.as_str(), m.files.len());
            (m, note)
        })
        .collect();
    progress.finish();
    write_or_check(
        ctx,
        &args.output,
        &ready,
        args.check,
        ("render", "rendered"),
    )
}

/// Writes each site's tree (or, with `check`, compares it with the disk);
/// prints one line per site. `verb` names the command that regenerates the
/// output and what it did (`("render", "rendered")`).
pub(super) fn write_or_check(
    ctx: &mut Ctx,
    output: &Path,
    ready: &[(Manifests, String)],
    check: bool,
    verb: (&str, &str),
) -> Exit {
    let (command, done) = verb;
    let human = ctx.report.format() == MessageFormat::Human;
    if check {
        // No render swaps trees while the comparison reads them.
        let _lock = emit::lock_shared(output);
        let mut drifted = false;
        for (m, _) in ready {
            let drift = emit::check(output, m);
            let dir = output.join(&m.site);
            if drift.is_clean() {
                if human {
                    eprintln!("up to date: {}", dir.display());
                }
                continue;
            }
            drifted = true;
            let mut diags = Vec::new();
            let what_differs = format!("differs from what the sites {command}");
            let not_on_disk = format!("{done}, but not on disk");
            let extra = format!("on disk, but no longer {done}");
            for (kind, list, what) in [
                ("stale", &drift.stale, what_differs.as_str()),
                ("missing", &drift.missing, not_on_disk.as_str()),
                ("extra", &drift.extra, extra.as_str()),
            ] {
                for rel in list {
                    let path = dir.join(rel).display().to_string();
                    if human {
                        println!("{kind}: {path}");
                    } else {
                        diags.push(
                            Diagnostic::at_path(Code::Stale, path, format!("{kind}: {what}"))
                                .help(format!("run `stackc {command}` and commit the result")),
                        );
                    }
                }
            }
            ctx.report.emit(&Files::new(), diags);
        }
        if drifted {
            if human {
                eprintln!(
                    "the {done} output is out of date: run `stackc {command}` and commit the result"
                );
            }
            return Exit::Failure;
        }
        return Exit::Ok;
    }
    // This process owns the output directory until every site is written;
    // writes are independent per site directory.
    let out = match emit::Output::open(output, || {
        if human {
            eprintln!(
                "waiting for another stackc process writing to {}",
                output.display()
            );
        }
    }) {
        Ok(out) => out,
        Err(d) => return ctx.fail(d),
    };
    let mut exit = Exit::Ok;
    let written: Vec<Result<(PathBuf, emit::Written), Diagnostic>> =
        ready.par_iter().map(|(m, _)| out.write(m)).collect();
    for (w, (_, note)) in written.into_iter().zip(ready) {
        match w {
            Ok((dir, how)) => {
                if human {
                    let what = match how {
                        emit::Written::Replaced => done,
                        emit::Written::Unchanged => "unchanged",
                    };
                    eprintln!("{what} {} ({note})", dir.display());
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
