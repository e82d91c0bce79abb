use std::io::Write;
use std::path::Path;

use clap::Args;

use super::{Ctx, Exit, Known};
use crate::diagnostic::{Code, Diagnostic, MessageFormat};
use crate::init::NewSite;
use crate::library::Library;
use crate::model::DnsLabel;
use crate::source::Layer;
use crate::{load, validate};

/// Start a site: write NAME.yaml, a commented site file that validates and
/// renders.
///
/// The profile picks the shape: `minimal` (the default) an all-in-one lab
/// (one replica of everything, local storage, an emulated hypervisor);
/// `ha` a highly available site with Ceph storage and TLS. Lines marked
/// CHANGE hold example values to replace. The file is written in the
/// current directory, only if it does not exist, and only after it
/// validated and resolved.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The site name: a DNS label (lowercase letters, digits, '-'); it names
    /// the file NAME.yaml and the output directory.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The OpenStack release (default: the newest in the library).
    #[arg(long, value_name = "RELEASE")]
    pub release: Option<String>,
    /// The profile; `ha` gives the highly available shape.
    #[arg(long, value_name = "PROFILE", default_value = "minimal")]
    pub profile: String,
    /// Add services to the shape's (repeatable, or comma-separated).
    #[arg(long = "with", value_name = "SERVICE", value_delimiter = ',')]
    pub with: Vec<String>,
    /// The `$schema` of the yaml-language-server modeline (a path relative
    /// to the file, or a URL; default: the schema's `$id`).
    #[arg(long, value_name = "PATH_OR_URL")]
    pub schema: Option<String>,
}

pub fn run(ctx: &mut Ctx, args: InitArgs) -> Exit {
    match init(ctx, &args) {
        Ok(()) => Exit::Ok,
        Err(exit) => exit,
    }
}

fn init(ctx: &mut Ctx, args: &InitArgs) -> Result<(), Exit> {
    // A bad argument or an existing file is a usage error (exit 2).
    let name = site_name(&args.name).map_err(|d| ctx.fail(d).max(Exit::Error))?;
    let file = format!("{name}.yaml");
    if Path::new(&file).symlink_metadata().is_ok() {
        return Err(ctx.fail(exists(&file)).max(Exit::Error));
    }
    let lib = ctx.library()?;
    let (release, profile) = names(ctx, &lib, args).map_err(|e| e.max(Exit::Error))?;
    let mut site = NewSite::new(name, &release, &profile, &args.with);
    if let Some(schema) = &args.schema {
        site.schema = schema.clone();
    }
    let text = site.text();

    // The file is checked as it will be written, under its own name.
    let mut files = lib.files.clone();
    let id = load::add_bytes(
        file.clone(),
        text.clone().into_bytes(),
        Layer::Site,
        &mut files,
    )
    .map_err(|d| {
        ctx.report.emit(&files, vec![d]);
        Exit::Error
    })?;
    let check = validate::check_registered(id, files, &lib);
    if let Err(exit) = ctx.resolve_checked(&lib, check, |_| {}) {
        eprintln!("nothing written: the new site does not validate with this library");
        return Err(exit);
    }

    write_new(&file, &text).map_err(|d| ctx.fail(d).max(Exit::Error))?;
    if ctx.report.format() == MessageFormat::Human {
        eprintln!(
            "created {file}: {} (release {release}, profile {profile}, {} services)\n\
             next: replace the values marked CHANGE, then `stackc render {file}`",
            site.shape.describe(),
            site.services.len(),
        );
    }
    Ok(())
}

/// The release and profile, and the `--with` names, checked against the
/// library; every unknown name is reported.
fn names(ctx: &mut Ctx, lib: &Library, args: &InitArgs) -> Result<(String, String), Exit> {
    let release = match &args.release {
        Some(r) => ctx
            .known_name(lib, Known::Release, r)
            .map(|r| r.to_string()),
        None => newest_release(ctx, lib),
    };
    let profile = ctx.known_name(lib, Known::Profile, &args.profile);
    let with: Vec<_> = args
        .with
        .iter()
        .map(|s| ctx.known_name(lib, Known::Component("--with"), s))
        .collect();
    let (release, profile) = (release?, profile?.to_string());
    with.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok((release, profile))
}

/// NAME, checked: a DNS label.
fn site_name(name: &str) -> Result<DnsLabel, Diagnostic> {
    DnsLabel::try_from(name.to_string()).map_err(|_| {
        let help = match name.strip_suffix(".yaml").or(name.strip_suffix(".yml")) {
            Some(stem) => format!(
                "give the name without the extension (`stackc init {}`): stackc writes NAME.yaml",
                stem.to_lowercase()
            ),
            None => "use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters".to_string(),
        };
        Diagnostic::at_path(
            Code::InvalidValue,
            format!("NAME {name}"),
            format!("`{name}` is not a valid site name (a DNS label)"),
        )
        .help(help)
    })
}

/// The library's newest release (releases are kept in name order).
fn newest_release(ctx: &mut Ctx, lib: &Library) -> Result<String, Exit> {
    lib.releases.keys().last().cloned().ok_or_else(|| {
        ctx.fail(
            Diagnostic::at_path(
                Code::UnknownRelease,
                &lib.root,
                "the library has no release",
            )
            .help("add a release under `releases/`, or use another `--library`"),
        )
    })
}

fn exists(file: &str) -> Diagnostic {
    Diagnostic::at_path(
        Code::FileExists,
        file,
        "already exists; stackc init never overwrites a file",
    )
    .help("choose another NAME, or move the existing file away")
}

/// Writes `text` to `file`, whole or not at all, and only if `file` does
/// not exist (checked atomically by the final link).
fn write_new(file: &str, text: &str) -> Result<(), Diagnostic> {
    let io = |e: std::io::Error| {
        Diagnostic::at_path(Code::Io, file, format!("cannot write: {e}"))
            .help("check that the current directory is writable")
    };
    // Read-write for all, less the umask, like any new file (temporary
    // files are private by default).
    let mut tmp = tempfile::Builder::new()
        .prefix(".stackc-init-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(".")
        .map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.persist_noclobber(file).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            exists(file)
        } else {
            io(e.error)
        }
    })?;
    Ok(())
}
