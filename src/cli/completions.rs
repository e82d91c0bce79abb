use clap::Args;
use clap::builder::PossibleValuesParser;

use super::{Cli, Ctx, Exit};
use crate::library::Library;

/// Print a shell completion script.
///
/// Generated from the same definitions as `--help`; release, profile and
/// component names come from the library (the embedded one, or
/// `--library`/`--layer` when given):
///
///   bash:       source <(stackc completions bash)      (e.g. in ~/.bashrc)
///   zsh:        stackc completions zsh > ~/.zfunc/_stackc   (~/.zfunc on $fpath)
///   fish:       stackc completions fish > ~/.config/fish/completions/stackc.fish
///   powershell: stackc completions powershell | Out-String | Invoke-Expression
///   elvish:     eval (stackc completions elvish | slurp)
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(ctx: &mut Ctx, args: CompletionsArgs) -> Exit {
    let lib = match ctx.library() {
        Ok(lib) => lib,
        Err(exit) => return exit,
    };
    let mut cmd = with_library_values(Cli::command(), &lib);
    clap_complete::generate(args.shell, &mut cmd, "stackc", &mut std::io::stdout());
    Exit::Ok
}

/// Offers the library's names as the possible values of the arguments
/// that take them, by argument id, in every subcommand: `release`,
/// `profile`, and `with`/`components` (component names). Only the
/// completion script sees them: parsing stays free-form, so another
/// `--library` is not held to the embedded names.
fn with_library_values(cmd: clap::Command, lib: &Library) -> clap::Command {
    let names = |keys: Vec<&String>| PossibleValuesParser::new(keys.into_iter().cloned());
    let cmd = cmd.mut_args(|a| match a.get_id().as_str() {
        "release" => a.value_parser(names(lib.releases.keys().collect())),
        "profile" => a.value_parser(names(lib.profiles.keys().collect())),
        "with" | "components" => a.value_parser(names(lib.components.keys().collect())),
        _ => a,
    });
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    subcommands.iter().fold(cmd, |cmd, name| {
        cmd.mut_subcommand(name, |s| with_library_values(s, lib))
    })
}
