//! The command line: one file per subcommand, clap derive, doc comments as
//! help text.

mod completions;
mod diff;
mod explain;
mod graph;
mod hydrate;
mod images;
mod init;
mod library;
mod man;
mod render;
mod schema;
mod secrets;
mod validate;
mod values;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diagnostic::{Code, Diagnostic, MessageFormat, Report, suggest};
use crate::git::Revision;
use crate::library::Library;
use crate::model::LibraryName;
use crate::resolve::{self, Resolved};
use crate::source::Files;

/// stackc compiles one OpenStack site description into GitOps manifests
/// (Flux, Argo CD or Kustomize) for the openstack-helm charts.
///
/// Exit codes: 0 success / no changes; 1 invalid input, stale output or
/// changes found; 2 usage, I/O or internal error.
#[derive(Debug, Parser)]
#[command(name = "stackc", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The command line definition with the facts only known at run time
    /// (the embedded library's releases in `--version`). Completions and
    /// man pages are generated from it too.
    pub fn command() -> clap::Command {
        let releases = crate::library::embedded_releases().join(", ");
        <Cli as clap::CommandFactory>::command().long_version(format!(
            "{}\nembedded library releases: {releases}",
            env!("CARGO_PKG_VERSION")
        ))
    }

    /// Parses the process's arguments (exits on `--help`, `--version` and
    /// usage errors, with status 2 for the latter).
    pub fn parse() -> Cli {
        let mut matches = Cli::command().get_matches();
        <Cli as clap::FromArgMatches>::from_arg_matches_mut(&mut matches)
            .unwrap_or_else(|e| e.exit())
    }
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// How to print diagnostics: graphical reports on stderr; one JSON
    /// object per line, GitHub Actions annotations or a GitLab Code Quality
    /// report on stdout.
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Use the library in DIR instead of the one embedded in stackc.
    #[arg(long, global = true, value_name = "DIR")]
    pub library: Option<PathBuf>,
    /// Add an organisation layer on top of the library (repeatable; later
    /// layers win).
    #[arg(long = "layer", global = true, value_name = "DIR")]
    pub layers: Vec<PathBuf>,
    /// When to colour output (NO_COLOR is honoured in `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream: `auto` colours terminals unless
    /// NO_COLOR is set (and not empty).
    pub fn enabled(self, stream_is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stream_is_terminal
            }
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::InitArgs),
    Validate(validate::ValidateArgs),
    Render(render::RenderArgs),
    Hydrate(hydrate::HydrateArgs),
    Diff(diff::DiffArgs),
    Explain(explain::ExplainArgs),
    Graph(graph::GraphArgs),
    Values(values::ValuesArgs),
    Images(images::ImagesArgs),
    Secrets(secrets::SecretsArgs),
    Schema(schema::SchemaArgs),
    Library(library::LibraryArgs),
    Completions(completions::CompletionsArgs),
    Man(man::ManArgs),
}

impl Command {
    /// Whether stdout carries the command's output (a diff, values, a
    /// graph...), rather than only diagnostics.
    fn stdout_is_output(&self) -> bool {
        !matches!(
            self,
            Command::Init(_) | Command::Validate(_) | Command::Render(_) | Command::Hydrate(_)
        )
    }
}

/// Process exit status (PRODUCT.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Success, or no changes.
    Ok = 0,
    /// Invalid input, stale output or changes found.
    Failure = 1,
    /// Usage, I/O or internal error.
    Error = 2,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Exit {
    // Every thread that evaluates library expressions (this command's and
    // rayon's) gets the same generous stack: parsing and compiling a
    // bounded expression recurses, more so in debug builds.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .build_global();
    std::thread::Builder::new()
        .name("stackc".into())
        .stack_size(STACK_SIZE)
        .spawn(move || run_here(cli))
        .and_then(|t| t.join().map_err(|_| std::io::Error::other("panicked")))
        .unwrap_or(Exit::Error)
}

/// Stack of the threads running a command (reserved address space; only
/// what is used is committed).
const STACK_SIZE: usize = 64 * 1024 * 1024;

fn run_here(cli: Cli) -> Exit {
    let color = cli.global.color.enabled(std::io::stderr().is_terminal());
    let mut ctx = Ctx {
        report: Report::new(cli.global.message_format, color),
        global: cli.global,
    };
    let stdout_is_output = cli.command.stdout_is_output();
    let exit = match cli.command {
        Command::Init(args) => init::run(&mut ctx, args),
        Command::Validate(args) => validate::run(&mut ctx, args),
        Command::Render(args) => render::run(&mut ctx, args),
        Command::Hydrate(args) => hydrate::run(&mut ctx, args),
        Command::Diff(args) => diff::run(&mut ctx, args),
        Command::Secrets(args) => secrets::run(&mut ctx, args),
        Command::Explain(args) => explain::run(&mut ctx, args),
        Command::Graph(args) => graph::run(&mut ctx, args),
        Command::Values(args) => values::run(&mut ctx, args),
        Command::Images(args) => images::run(&mut ctx, args),
        Command::Schema(args) => schema::run(&mut ctx, args),
        Command::Library(args) => library::run(&mut ctx, args),
        Command::Completions(args) => completions::run(&mut ctx, args),
        Command::Man(args) => man::run(&mut ctx, args),
    };
    ctx.report.finish(stdout_is_output);
    exit
}

/// What every subcommand gets: global options and the diagnostic printer.
pub struct Ctx {
    pub global: GlobalArgs,
    pub report: Report,
}

impl Ctx {
    /// Loads the library (`--library` or embedded) and the `--layer`s;
    /// prints their problems.
    pub fn library(&mut self) -> Result<Library, Exit> {
        self.library_at(None)
    }

    /// `library`, with the `--library` and `--layer` directories inside a
    /// git repository read as they were at `rev` (others as they are).
    pub fn library_at(&mut self, rev: Option<&Revision>) -> Result<Library, Exit> {
        let tree = |dir: &Path| match rev {
            Some(r) if r.contains(dir) => r.tree(dir),
            _ => crate::library::directory(dir),
        };
        let loaded = match &self.global.library {
            Some(dir) => tree(dir)
                .map_err(|d| (Files::new(), vec![d]))
                .and_then(Library::from_tree),
            None => Library::embedded(),
        };
        let mut lib = loaded.map_err(|(files, diags)| {
            let exit = exit_for(&diags);
            self.report.emit(&files, diags);
            exit
        })?;
        for dir in self.global.layers.clone() {
            let added = tree(&dir)
                .map_err(|d| vec![d])
                .and_then(|t| lib.add_layer(&dir, t));
            if let Err(diags) = added {
                let exit = exit_for(&diags);
                self.report.emit(&lib.files, diags);
                return Err(exit);
            }
        }
        Ok(lib)
    }

    /// Loads the library and layers, then validates and resolves one site
    /// file (what `explain`, `graph`, `values` and `secrets` start with).
    pub fn resolved(&mut self, path: &std::path::Path) -> Result<(Library, Files, Resolved), Exit> {
        let lib = self.library()?;
        let (files, resolved) = self.resolve(&lib, path)?;
        Ok((lib, files, resolved))
    }

    /// Validates and resolves one site file; prints any diagnostics.
    pub fn resolve(
        &mut self,
        lib: &Library,
        path: &std::path::Path,
    ) -> Result<(Files, Resolved), Exit> {
        self.resolve_checked(lib, crate::validate::check_file(path, lib), |_| {})
    }

    /// Resolves a validated site, after `adjust` (another release, ...);
    /// prints the validation and resolution diagnostics together, once.
    pub fn resolve_checked(
        &mut self,
        lib: &Library,
        check: crate::validate::SiteCheck,
        adjust: impl FnOnce(&mut crate::validate::CheckedSite),
    ) -> Result<(Files, Resolved), Exit> {
        let exit = exit_for(&check.diagnostics);
        let crate::validate::SiteCheck {
            files,
            diagnostics,
            site,
        } = check;
        let Some(mut site) = site else {
            self.report.emit(&files, diagnostics);
            return Err(exit.max(Exit::Failure));
        };
        adjust(&mut site);
        // Warnings are printed with the resolution's problems, once.
        match resolve::resolve(&site, lib) {
            Ok(resolved) => {
                self.report.emit(&files, diagnostics);
                Ok((files, resolved))
            }
            Err(more) => {
                let mut all = diagnostics;
                all.extend(more);
                let exit = exit_for(&all).max(Exit::Failure);
                self.report.emit(&files, all);
                Err(exit)
            }
        }
    }

    /// The library and the site files named on the command line (files as
    /// given, directories expanded to their `*.yaml` files).
    pub fn library_and_sites(
        &mut self,
        sites: &[std::path::PathBuf],
    ) -> Result<(Library, Vec<std::path::PathBuf>), Exit> {
        let lib = self.library()?;
        let paths = crate::load::expand_site_args(sites).map_err(|d| self.fail(d))?;
        Ok((lib, paths))
    }

    /// A command-line argument naming a release, profile or component,
    /// checked against the library (an unknown name is located at the
    /// argument, with the closest known name).
    pub fn known_name(
        &mut self,
        lib: &Library,
        what: Known,
        name: &str,
    ) -> Result<LibraryName, Exit> {
        let (flag, code, plural, known): (&str, Code, &str, Vec<&str>) = match what {
            Known::Release => (
                "--release",
                Code::UnknownRelease,
                "releases",
                lib.releases.keys().map(String::as_str).collect(),
            ),
            Known::Profile => (
                "--profile",
                Code::UnknownProfile,
                "profiles",
                lib.profiles.keys().map(String::as_str).collect(),
            ),
            Known::Component(flag) => (
                flag,
                Code::UnknownService,
                "components",
                lib.components.keys().map(String::as_str).collect(),
            ),
        };
        match LibraryName::try_from(name.to_string()) {
            Ok(n) if known.contains(&name) => Ok(n),
            _ => Err(self.fail(
                Diagnostic::at_path(
                    code,
                    format!("{flag} {name}"),
                    format!("unknown {} `{name}`", &plural[..plural.len() - 1]),
                )
                .help(suggest(name, known, plural)),
            )),
        }
    }

    /// Prints a diagnostic that has no source file (one located in a file
    /// goes through `report.emit` with the files it points into).
    pub fn fail(&mut self, d: Diagnostic) -> Exit {
        debug_assert!(d.span().is_none(), "ctx.fail with a located diagnostic");
        let exit = exit_for(std::slice::from_ref(&d));
        self.report.emit(&Files::new(), vec![d]);
        exit
    }
}

/// What a command-line name refers to in the library.
#[derive(Debug, Clone, Copy)]
pub enum Known {
    Release,
    Profile,
    /// A component, given with this flag.
    Component(&'static str),
}

/// The exit status a set of diagnostics calls for.
pub fn exit_for(diags: &[Diagnostic]) -> Exit {
    if diags
        .iter()
        .any(|d| d.is_error() && matches!(d.code, Code::Io))
    {
        Exit::Error
    } else if diags.iter().any(Diagnostic::is_error) {
        Exit::Failure
    } else {
        Exit::Ok
    }
}
