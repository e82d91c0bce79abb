use std::path::PathBuf;

use clap::Args;

use super::{Cli, Ctx, Exit};
use crate::diagnostic::{Code, Diagnostic};

/// Print the manual page (roff), or write one page per command.
///
/// `stackc man | man -l -` reads it; `stackc man -o DIR` writes
/// `stackc.1` and `stackc-<command>.1` for every command into DIR (e.g.
/// `/usr/local/share/man/man1`). Generated from the same definitions as
/// `--help`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write every page into this directory (created if needed).
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

pub fn run(ctx: &mut Ctx, args: ManArgs) -> Exit {
    // `stackc help` is no page of its own.
    let cmd = Cli::command().disable_help_subcommand(true);
    let written = match &args.output {
        Some(dir) => std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(cmd, dir))
            .map_err(|e| (dir.display().to_string(), e)),
        None => clap_mangen::Man::new(cmd)
            .render(&mut std::io::stdout())
            .map_err(|e| ("stdout".to_string(), e)),
    };
    match written {
        Ok(()) => Exit::Ok,
        Err((path, e)) => ctx.fail(
            Diagnostic::at_path(Code::Io, path, format!("cannot write the manual: {e}"))
                .help("check that the directory is writable"),
        ),
    }
}
