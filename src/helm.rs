//! The Helm binary: the one place stackc runs it.
//!
//! Arguments are a list (never a shell string); every run has a timeout;
//! stdout and stderr go to temporary files (no pipe can fill up and block
//! Helm); the environment is rebuilt from scratch: only `PATH` is kept,
//! `HOME` and the XDG and `HELM_*` directories point into an empty
//! temporary directory (no user repository configuration, plugin or cache
//! leaks in), and the locale and time zone are fixed. Go's garbage
//! collector is set to run only near a memory limit (`GOGC=off`,
//! `GOMEMLIMIT=512MiB`): a `helm template` run is short and allocates about
//! 100 MB, so this saves about a third of its CPU time without changing its
//! output, and a runaway chart still cannot take more memory than that.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

/// The Kubernetes version charts are rendered for (`--kube-version`): fixed,
/// so the output never depends on which Helm is installed.
pub const KUBE_VERSION: &str = "1.33.0";

/// How long one `helm template` may run by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// A Helm binary that answered `helm version`.
#[derive(Debug, Clone)]
pub struct Helm {
    pub path: PathBuf,
    /// `helm version --short` (part of every cache key).
    pub version: String,
}

/// Why a Helm run failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The binary could not be started.
    NotRunnable(String),
    /// It ran and exited unsuccessfully; its stderr.
    Failed { status: String, stderr: String },
    /// It did not finish in time (it was killed).
    TimedOut(Duration),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::NotRunnable(e) => write!(f, "cannot run helm: {e}"),
            Failure::Failed { status, stderr } => {
                write!(f, "helm exited with {status}")?;
                if !stderr.is_empty() {
                    write!(f, ": {stderr}")?;
                }
                Ok(())
            }
            Failure::TimedOut(d) => write!(f, "helm did not finish in {} s", d.as_secs()),
        }
    }
}

/// One `helm template` run.
#[derive(Debug, Clone)]
pub struct Template<'a> {
    /// The release name.
    pub release: &'a str,
    /// A chart directory or `.tgz` package.
    pub chart: &'a Path,
    pub namespace: &'a str,
    /// The values, as YAML (JSON is YAML).
    pub values: &'a str,
}

impl Helm {
    /// The Helm binary: `path` when given, else `helm` on `PATH`.
    pub fn find(path: Option<&Path>) -> Result<PathBuf, Failure> {
        if let Some(p) = path {
            return if p.is_file() {
                Ok(p.to_path_buf())
            } else {
                Err(Failure::NotRunnable(format!(
                    "{}: no such file",
                    p.display()
                )))
            };
        }
        std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .map(|d| d.join("helm"))
            .find(|p| p.is_file())
            .ok_or_else(|| Failure::NotRunnable("`helm` is not on PATH".into()))
    }

    /// Asks a binary its version (`helm version --short`).
    pub fn version(path: &Path, timeout: Duration) -> Result<String, Failure> {
        let out = run(path, &["version", "--short"], timeout)?;
        let version = out.trim().to_string();
        if version.is_empty() {
            return Err(Failure::NotRunnable(
                "`helm version --short` printed nothing".into(),
            ));
        }
        Ok(version)
    }

    /// The arguments of a `helm template` run (values in `values_file`):
    /// hooks kept, tests skipped, CRDs included, a fixed Kubernetes version.
    pub fn template_args(t: &Template<'_>, values_file: &Path) -> Vec<String> {
        vec![
            "template".into(),
            t.release.into(),
            t.chart.display().to_string(),
            "--namespace".into(),
            t.namespace.into(),
            "--kube-version".into(),
            KUBE_VERSION.into(),
            "--skip-tests".into(),
            "--include-crds".into(),
            "--values".into(),
            values_file.display().to_string(),
        ]
    }

    /// Runs `helm template`; returns its stdout (a YAML stream).
    pub fn template(&self, t: &Template<'_>, timeout: Duration) -> Result<String, Failure> {
        let dir = tempfile::tempdir().map_err(|e| Failure::NotRunnable(e.to_string()))?;
        let values = dir.path().join("values.yaml");
        fs::write(&values, t.values).map_err(|e| Failure::NotRunnable(e.to_string()))?;
        let args = Helm::template_args(t, &values);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_in(&self.path, &args, timeout, dir.path())
    }
}

fn run(program: &Path, args: &[&str], timeout: Duration) -> Result<String, Failure> {
    let dir = tempfile::tempdir().map_err(|e| Failure::NotRunnable(e.to_string()))?;
    run_in(program, args, timeout, dir.path())
}

/// Runs `program` with a clean environment rooted at `scratch`.
fn run_in(
    program: &Path,
    args: &[&str],
    timeout: Duration,
    scratch: &Path,
) -> Result<String, Failure> {
    let not_runnable = |e: std::io::Error| Failure::NotRunnable(e.to_string());
    let home = scratch.join("home");
    for d in ["cache", "config", "data"] {
        fs::create_dir_all(home.join(d)).map_err(not_runnable)?;
    }
    let stdout_path = scratch.join("stdout");
    let stderr_path = scratch.join("stderr");
    let stdout = fs::File::create(&stdout_path).map_err(not_runnable)?;
    let stderr = fs::File::create(&stderr_path).map_err(not_runnable)?;
    // `--helm .tools/bin/helm` is relative to where stackc runs, not to the
    // scratch directory helm runs in; a bare name is looked up on PATH.
    let program = if program.is_relative() && program.components().count() > 1 {
        std::path::absolute(program).map_err(not_runnable)?
    } else {
        program.to_path_buf()
    };
    let mut cmd = Command::new(&program);
    cmd.args(args)
        .env_clear()
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("KUBECONFIG", home.join("config/kubeconfig"))
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .env("TZ", "UTC")
        .env("GOGC", "off")
        .env("GOMEMLIMIT", "512MiB")
        .current_dir(scratch)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| Failure::NotRunnable(format!("{}: {e}", program.display())))?;
    let status = match child.wait_timeout(timeout).map_err(not_runnable)? {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Failure::TimedOut(timeout));
        }
    };
    if !status.success() {
        let stderr = fs::read(&stderr_path).unwrap_or_default();
        return Err(Failure::Failed {
            status: status.to_string(),
            stderr: clean_stderr(&String::from_utf8_lossy(&stderr)),
        });
    }
    let bytes = fs::read(&stdout_path).map_err(not_runnable)?;
    String::from_utf8(bytes).map_err(|_| Failure::Failed {
        status: "success".into(),
        stderr: "helm printed output that is not UTF-8".into(),
    })
}

/// Helm's stderr, trimmed and bounded (a diagnostic is not a log file),
/// with secret-looking values masked.
fn clean_stderr(s: &str) -> String {
    const MAX: usize = 4000;
    let s = crate::secret::redact_text(s.trim());
    if s.len() <= MAX {
        return s;
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} more bytes)", &s[..end], s.len() - end)
}
