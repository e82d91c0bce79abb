mod sites;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{Ctx, Exit, Known};
use crate::diagnostic::{Code, Diagnostic};
use crate::diff::{self, Format, Side};
use crate::git::Revision;
use crate::library::Library;
use crate::model::LibraryName;
use crate::render::{self, Target};
use crate::source::{Files, Layer};
use crate::{load, validate};

/// Show the exact changes an edit or an upgrade would make.
///
/// `stackc diff OLD NEW` compares two site files or rendered directories;
/// `stackc diff SITE --release 2025.2` shows a what-if upgrade;
/// `stackc diff SITE --against GIT_REV` compares the site (and the
/// --library and --layer directories inside the repository) at a git
/// revision with the working tree. With --against or --release, SITE may
/// be a directory: every site in it, in one report (with --against, sites
/// added or removed since GIT_REV too), e.g. for a pull-request comment.
/// Objects are matched by apiVersion/kind/namespace/name, chart values
/// field by field with the layer that set them; upgrade hazards are
/// flagged; secrets are masked.
///
/// Exit codes: 0 no changes, 1 changes, 2 error.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old side: a site file or a rendered directory (with --release or
    /// --against: the site, or a directory of sites).
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The new side: a site file or a rendered directory.
    #[arg(value_name = "NEW", required_unless_present_any = ["release", "against"])]
    pub new: Option<PathBuf>,
    /// What-if: the site rendered for this release.
    #[arg(long, value_name = "RELEASE", conflicts_with_all = ["new", "against"])]
    pub release: Option<String>,
    /// Compare with the site at this git revision (commit, branch, tag).
    #[arg(long, value_name = "GIT_REV", conflicts_with = "new")]
    pub against: Option<String>,
    /// The target sites are rendered for (rendered directories are read as they are).
    #[arg(long, value_enum, default_value_t = Target::Flux)]
    pub target: Target,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Counts only.
    #[arg(long)]
    pub summary: bool,
}

pub fn run(ctx: &mut Ctx, args: DiffArgs) -> Exit {
    if args.old.is_dir() && (args.against.is_some() || args.release.is_some()) {
        return sites::run(ctx, &args);
    }
    match diff_sides(ctx, &args) {
        Ok(d) => {
            let color = ctx.global.color.enabled(std::io::stdout().is_terminal());
            print!("{}", diff::format(&d, args.format, args.summary, color));
            if d.is_empty() {
                Exit::Ok
            } else {
                Exit::Failure
            }
        }
        // Any problem is an error here: 1 means "changes".
        Err(_) => Exit::Error,
    }
}

fn diff_sides(ctx: &mut Ctx, args: &DiffArgs) -> Result<diff::Diff, Exit> {
    let lib = ctx.library()?;
    let (old, new) = if let Some(release) = &args.release {
        let name = ctx.known_name(&lib, Known::Release, release)?;
        let old = site_side(ctx, &lib, &args.old, None, None, args.target)?;
        let label = format!("{} (release {release})", args.old.display());
        let new = site_side(ctx, &lib, &args.old, None, Some((name, label)), args.target)?;
        (old, new)
    } else if let Some(rev) = &args.against {
        let r = Revision::open(&args.old, rev).map_err(|d| ctx.fail(d))?;
        let rel = r.relative(&args.old).map_err(|d| ctx.fail(d))?;
        let bytes = r.show(&rel).map_err(|d| ctx.fail(d))?;
        let old_lib = ctx.library_at(Some(&r))?;
        let old = site_side(
            ctx,
            &old_lib,
            &args.old,
            Some((format!("{}@{rev}", args.old.display()), bytes)),
            None,
            args.target,
        )?;
        let new = site_side(ctx, &lib, &args.old, None, None, args.target)?;
        (old, new)
    } else {
        let new_path = args.new.as_ref().expect("clap requires NEW");
        (
            side(ctx, &lib, &args.old, args.target)?,
            side(ctx, &lib, new_path, args.target)?,
        )
    };
    compare(ctx, &old, &new, &lib)
}

/// Diffs two sides; a problem (an unreadable tree) is printed.
fn compare(ctx: &mut Ctx, old: &Side, new: &Side, lib: &Library) -> Result<diff::Diff, Exit> {
    diff::diff(old, new, lib).map_err(|diags| {
        ctx.report.emit(&Files::new(), diags);
        Exit::Error
    })
}

/// A site file or a rendered directory.
fn side(ctx: &mut Ctx, lib: &Library, path: &Path, target: Target) -> Result<Side, Exit> {
    if path.is_dir() {
        dir_side(ctx, path)
    } else {
        site_side(ctx, lib, path, None, None, target)
    }
}

/// A side rendered from a site: from disk, or from given bytes (a git
/// blob); optionally for another release (with its label).
fn site_side(
    ctx: &mut Ctx,
    lib: &Library,
    path: &Path,
    blob: Option<(String, Vec<u8>)>,
    release: Option<(LibraryName, String)>,
    target: Target,
) -> Result<Side, Exit> {
    let label = match (&release, &blob) {
        (Some((_, label)), _) => label.clone(),
        (None, Some((name, _))) => name.clone(),
        (None, None) => path.display().to_string(),
    };
    let check = match blob {
        Some((name, bytes)) => {
            let mut files = lib.files.clone();
            match load::add_bytes(name, bytes, Layer::Site, &mut files) {
                Ok(id) => validate::check_registered(id, files, lib),
                Err(d) => {
                    ctx.report.emit(&files, vec![d]);
                    return Err(Exit::Error);
                }
            }
        }
        None => validate::check_file(path, lib),
    };
    let (files, resolved) = ctx.resolve_checked(lib, check, |site| {
        if let Some((name, _)) = release {
            site.site.spec.release = name;
        }
    })?;
    let manifests = render::render(&resolved, target);
    Ok(Side {
        label,
        files: manifests.files,
        resolved: Some((files, resolved)),
    })
}

/// A rendered directory: its YAML files and `.stackc` markers (which say
/// where each site's tree is). Symbolic links are followed (a linked file
/// is part of the tree; a loop is an error).
fn dir_side(ctx: &mut Ctx, dir: &Path) -> Result<Side, Exit> {
    let mut files = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let e = e.map_err(|e| {
            ctx.fail(
                Diagnostic::at_path(
                    Code::Io,
                    dir.display().to_string(),
                    format!("cannot read directory: {e}"),
                )
                .help("check the path"),
            )
        })?;
        let wanted = e.file_name() == crate::emit::MARKER
            || matches!(
                e.path().extension().and_then(|x| x.to_str()),
                Some("yaml" | "yml")
            );
        if !e.file_type().is_file() || !wanted {
            continue;
        }
        let rel = crate::source::relative_path(dir, e.path());
        let mut arena = Files::new();
        match load::read_file(e.path(), Layer::Rendered, &mut arena) {
            Ok(id) => files.insert(rel, arena.get(id).text.to_string()),
            Err(d) => {
                // A non-UTF-8 file is located in the arena it was read into.
                ctx.report.emit(&arena, vec![d]);
                return Err(Exit::Error);
            }
        };
    }
    Ok(Side {
        label: dir.display().to_string(),
        files,
        resolved: None,
    })
}
