use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Args;

use super::{Ctx, Exit};

/// List every container image the sites will pull, one per line, sorted:
/// the list to copy into a registry mirror.
///
/// Every image key (`images.tags`) of every chart the sites deploy, whether
/// or not the chart template that uses it is switched on, and every image
/// of the cloud-provider-openstack charts of their clusters. With
/// `spec.images.registry` these are the mirror's images; `--pairs` prints
/// what to copy where.
#[derive(Debug, Args)]
pub struct ImagesArgs {
    /// Site files or directories of site files (the union is listed).
    #[arg(required = true, value_name = "SITE")]
    pub sites: Vec<PathBuf>,
    /// Print `<upstream image> <image pulled>` per line, sorted by the
    /// upstream image (the same image twice without a mirror), e.g. for
    /// `skopeo copy docker://$1 docker://$2`.
    #[arg(long)]
    pub pairs: bool,
}

pub fn run(ctx: &mut Ctx, args: ImagesArgs) -> Exit {
    let (lib, paths) = match ctx.library_and_sites(&args.sites) {
        Ok(found) => found,
        Err(exit) => return exit,
    };
    let mut lines = BTreeSet::new();
    for path in &paths {
        let (_files, resolved) = match ctx.resolve(&lib, path) {
            Ok(r) => r,
            Err(exit) => return exit,
        };
        let clusters = resolved
            .clusters
            .iter()
            .flat_map(|c| &c.charts)
            .flat_map(|ch| &ch.images);
        for image in resolved
            .components
            .values()
            .flat_map(|c| &c.images)
            .chain(clusters)
        {
            lines.insert(if args.pairs {
                format!("{} {}", image.source, image.pulled)
            } else {
                image.pulled.clone()
            });
        }
    }
    let mut out = String::new();
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    print!("{out}");
    Exit::Ok
}
