use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use rayon::prelude::*;

use super::render::{resolve_all, write_or_check};
use super::{Ctx, Exit, exit_for};
use crate::diagnostic::{Code, Diagnostic};
use crate::helm::{self, Helm};
use crate::hydrate::{self, Cache, ChartStore, Hydrated, Settings};
use crate::progress::Progress;
use crate::render::{Manifests, Target};

/// Render the Kubernetes objects themselves: `helm template` of every
/// component's pinned chart with its resolved values, one object per file
/// in `<out>/<site>/<component>/<kind>_<name>.yaml`.
///
/// Charts come from a local directory (--charts or STACKC_CHARTS), never
/// from the network. Secret values are tokens naming their store key, so
/// the output can be read and diffed safely. Results are cached by content
/// under the user cache directory; the output directory is replaced
/// atomically, like `render`. See docs/hydrate.md.
#[derive(Debug, Args)]
pub struct HydrateArgs {
    /// Site files or directories of site files.
    #[arg(required = true, value_name = "SITE")]
    pub sites: Vec<PathBuf>,
    #[command(flatten)]
    pub charts: ChartArgs,
    /// Output directory; each site hydrates into `<DIR>/<site name>/`.
    #[arg(short, long, value_name = "DIR", default_value = "hydrated")]
    pub output: PathBuf,
    /// Hydrate with the values this target hands the charts.
    #[arg(long, value_enum, default_value_t = Target::Flux)]
    pub target: Target,
    /// Hydrate in memory and compare with the output directory: exit 1 and
    /// list stale, missing and extra files when they differ. Writes nothing.
    #[arg(long)]
    pub check: bool,
}

/// Where charts and Helm come from (shared with `diff --hydrate`).
#[derive(Debug, Args, Clone)]
pub struct ChartArgs {
    /// Directory of chart packages (`<chart>-<version>.tgz`, optionally with
    /// index.yaml) or unpacked charts [env: STACKC_CHARTS].
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// The Helm binary (default: `helm` on PATH).
    #[arg(long, value_name = "PATH")]
    pub helm: Option<PathBuf>,
    /// Render cache directory (default: $XDG_CACHE_HOME/stackc, else
    /// ~/.cache/stackc).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Seconds one `helm template` may take.
    #[arg(long, value_name = "SECONDS", default_value_t = helm::DEFAULT_TIMEOUT.as_secs())]
    pub timeout: u64,
}

impl ChartArgs {
    /// Opens the charts directory; finds Helm and the cache.
    pub fn settings(&self, ctx: &mut Ctx, target: Target) -> Result<Settings, Exit> {
        let dir = self.charts.clone().or_else(|| {
            std::env::var_os("STACKC_CHARTS")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        let Some(dir) = dir else {
            return Err(ctx.fail(
                Diagnostic::at_path(Code::ChartsDirectory, "--charts", "no charts directory given")
                    .help("pass --charts DIR or set STACKC_CHARTS: a directory of chart packages as `helm pull` leaves them, or of unpacked charts (stackc never downloads)"),
            ));
        };
        Ok(Settings {
            store: ChartStore::open(&dir).map_err(|d| ctx.fail(d))?,
            helm: Helm::find(self.helm.as_deref()),
            cache: Cache::locate(self.cache_dir.as_deref()),
            timeout: Duration::from_secs(self.timeout.max(1)),
            target,
        })
    }
}

pub fn run(ctx: &mut Ctx, args: HydrateArgs) -> Exit {
    let (lib, paths) = match ctx.library_and_sites(&args.sites) {
        Ok(found) => found,
        Err(exit) => return exit,
    };
    let settings = match args.charts.settings(ctx, args.target) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let sites = match resolve_all(ctx, &lib, paths) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    // A progress line on a terminal, for runs longer than a second.
    let charts = sites.iter().map(|s| s.resolved.components.len()).sum();
    let progress = Progress::new(charts, "hydrating").after(Duration::from_secs(1));
    let results: Vec<Result<Hydrated, Vec<Diagnostic>>> = sites
        .par_iter()
        .map(|s| hydrate::hydrate(&s.resolved, &settings, &|c| progress.step(c)))
        .collect();
    progress.finish();
    let mut exit = Exit::Ok;
    let mut ready: Vec<(Manifests, String)> = Vec::new();
    for (site, r) in sites.iter().zip(results) {
        match r {
            Ok(h) => ready.push((
                h.manifests,
                format!(
                    "{}, {} objects from {} charts: {} rendered, {} cached",
                    args.target.as_str(),
                    h.objects,
                    h.rendered + h.cached,
                    h.rendered,
                    h.cached
                ),
            )),
            Err(diags) => {
                exit = exit.max(exit_for(&diags)).max(Exit::Failure);
                ctx.report.emit(&site.files, diags);
            }
        }
    }
    // Nothing is written when any site failed.
    if exit != Exit::Ok {
        return exit;
    }
    write_or_check(
        ctx,
        &args.output,
        &ready,
        args.check,
        ("hydrate", "hydrated"),
    )
}
