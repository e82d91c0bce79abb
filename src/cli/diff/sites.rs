//! `stackc diff DIR --against REV` and `stackc diff DIR --release R`: every
//! site of a directory, in one report. With `--against`, the sites the
//! directory held at REV count too: a site added since is a diff from
//! nothing, a removed one a diff to nothing. Sites are matched by file name.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;

use super::{DiffArgs, compare, site_side};
use crate::cli::{Ctx, Exit, Known};
use crate::diff::escape::md_code;
use crate::diff::{self, Diff, Side};
use crate::git::Revision;
use crate::load;

pub fn run(ctx: &mut Ctx, args: &DiffArgs) -> Exit {
    let title = match (&args.against, &args.release) {
        (Some(rev), _) => format!(
            "{} against {}",
            md_code(&args.old.display().to_string()),
            md_code(rev)
        ),
        (None, Some(release)) => format!(
            "{} for release {}",
            md_code(&args.old.display().to_string()),
            md_code(release)
        ),
        (None, None) => unreachable!("only called with --against or --release"),
    };
    match diffs(ctx, args) {
        Ok(diffs) => {
            let color = ctx.global.color.enabled(std::io::stdout().is_terminal());
            print!(
                "{}",
                diff::render_many(&diffs, &title, args.format, args.summary, color)
            );
            if diffs.iter().all(Diff::is_empty) {
                Exit::Ok
            } else {
                Exit::Failure
            }
        }
        Err(_) => Exit::Error,
    }
}

fn diffs(ctx: &mut Ctx, args: &DiffArgs) -> Result<Vec<Diff>, Exit> {
    let lib = ctx.library()?;
    let dir = &args.old;
    let mut out = Vec::new();
    if let Some(release) = &args.release {
        let name = ctx.known_name(&lib, Known::Release, release)?;
        for path in load::expand_site_args(std::slice::from_ref(dir)).map_err(|d| ctx.fail(d))? {
            let old = site_side(ctx, &lib, &path, None, None, args.target)?;
            let label = format!("{} (release {release})", path.display());
            let new = site_side(
                ctx,
                &lib,
                &path,
                None,
                Some((name.clone(), label)),
                args.target,
            )?;
            out.push(compare(ctx, &old, &new, &lib)?);
        }
        return Ok(out);
    }
    let rev = args.against.as_deref().expect("--against");
    let r = Revision::open(dir, rev).map_err(|d| ctx.fail(d))?;
    let old_lib = ctx.library_at(Some(&r))?;
    // File name -> bytes at REV (the directory's own site files).
    let then: BTreeMap<String, Vec<u8>> = r
        .tree(dir)
        .map_err(|d| ctx.fail(d))?
        .files
        .into_iter()
        .filter(|f| !f.rel.contains('/'))
        .map(|f| (f.rel, f.bytes))
        .collect();
    let now: Vec<String> = site_files(dir);
    let mut names: Vec<&String> = then.keys().chain(&now).collect();
    names.sort();
    names.dedup();
    for name in names {
        let path = dir.join(name);
        let old = match then.get(name) {
            Some(bytes) => {
                let label = format!("{}@{rev}", path.display());
                site_side(
                    ctx,
                    &old_lib,
                    &path,
                    Some((label, bytes.clone())),
                    None,
                    args.target,
                )?
            }
            None => nothing(format!("{}@{rev} (no such site)", path.display())),
        };
        let new = if now.contains(name) {
            site_side(ctx, &lib, &path, None, None, args.target)?
        } else {
            nothing(format!("{} (removed)", path.display()))
        };
        out.push(compare(ctx, &old, &new, &lib)?);
    }
    Ok(out)
}

/// The site files of a directory in the working tree, by file name (none
/// when the pull request removed them all, or the directory).
fn site_files(dir: &Path) -> Vec<String> {
    load::expand_site_args(&[dir.to_path_buf()])
        .unwrap_or_default()
        .iter()
        .filter_map(|p| Some(p.file_name()?.to_str()?.to_string()))
        .collect()
}

/// The side of a site that does not exist.
fn nothing(label: String) -> Side {
    Side {
        label,
        files: BTreeMap::new(),
        resolved: None,
    }
}
