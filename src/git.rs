//! Reading files at a git revision (`stackc diff --against REV`): `git show`
//! and `git ls-tree`, never a checkout. Local only: no fetch, no network.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::diagnostic::{Code, Diagnostic};
use crate::library::{RawFile, RawTree, is_library_file};
use crate::source::relative_path;

/// A repository and a revision in it.
pub struct Revision {
    pub root: PathBuf,
    pub rev: String,
}

/// Runs git and returns its output, at most `limit` bytes of it.
fn git_limited(dir: &Path, args: &[&str], limit: u64) -> Result<Vec<u8>, Failure> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::Git(format!("cannot run git: {e}")))?;
    let mut stderr = child.stderr.take().expect("piped");
    let errors = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let mut out = Vec::new();
    let read = child
        .stdout
        .take()
        .expect("piped")
        .take(limit + 1)
        .read_to_end(&mut out);
    if out.len() as u64 > limit {
        let _ = child.kill();
        let _ = child.wait();
        return Err(Failure::TooLarge);
    }
    let status = child
        .wait()
        .map_err(|e| Failure::Git(format!("cannot run git: {e}")))?;
    let errors = errors.join().unwrap_or_default();
    match read {
        Ok(_) if status.success() => Ok(out),
        Ok(_) => Err(Failure::Git(
            String::from_utf8_lossy(&errors).trim().to_string(),
        )),
        Err(e) => Err(Failure::Git(format!("cannot read git's output: {e}"))),
    }
}

enum Failure {
    Git(String),
    TooLarge,
}

/// Runs git for a listing or a revision (output far below the limit).
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    git_limited(dir, args, 64 * 1024 * 1024).map_err(|f| match f {
        Failure::Git(e) => e,
        Failure::TooLarge => "git printed more than 64 MiB".into(),
    })
}

fn fail(what: &str, msg: String) -> Diagnostic {
    Diagnostic::at_path(Code::Git, what, msg).help("--against takes a revision of the git repository that holds the site (a commit, branch or tag)")
}

impl Revision {
    /// The repository holding `path`, at `rev` (verified to exist).
    pub fn open(path: &Path, rev: &str) -> Result<Revision, Diagnostic> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let root = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|e| {
            fail(
                &path.display().to_string(),
                format!("not in a git repository: {e}"),
            )
        })?;
        let root = PathBuf::from(String::from_utf8_lossy(&root).trim());
        git(
            &root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|_| fail(rev, format!("unknown revision `{rev}`")))?;
        Ok(Revision {
            root,
            rev: rev.to_string(),
        })
    }

    /// `path` relative to the repository root (`/`-separated).
    pub fn relative(&self, path: &Path) -> Result<String, Diagnostic> {
        let abs = std::fs::canonicalize(path).map_err(|e| {
            fail(
                &path.display().to_string(),
                format!("cannot resolve path: {e}"),
            )
        })?;
        let root = std::fs::canonicalize(&self.root).unwrap_or(self.root.clone());
        if !abs.starts_with(&root) {
            return Err(fail(
                &path.display().to_string(),
                "outside the repository".into(),
            ));
        }
        Ok(relative_path(&root, &abs))
    }

    /// The bytes of a file at the revision.
    /// Files over the input size limit are refused (E0002) without being
    /// read whole, like files on disk.
    pub fn show(&self, rel: &str) -> Result<Vec<u8>, Diagnostic> {
        let what = format!("{rel}@{}", self.rev);
        let spec = format!("{}:{rel}", self.rev);
        git_limited(
            &self.root,
            &["cat-file", "blob", &spec],
            crate::load::MAX_FILE_BYTES,
        )
        .map_err(|f| match f {
            Failure::Git(e) => fail(&what, e),
            Failure::TooLarge => crate::load::too_large(&what),
        })
    }

    /// Whether `path` is inside the repository.
    pub fn contains(&self, path: &Path) -> bool {
        self.relative(path).is_ok()
    }

    /// The YAML files of a directory at the revision, as a library tree.
    pub fn tree(&self, dir: &Path) -> Result<RawTree, Diagnostic> {
        let rel = self.relative(dir)?;
        let list = git(
            &self.root,
            &["ls-tree", "-r", "--name-only", &self.rev, "--", &rel],
        )
        .map_err(|e| fail(&format!("{rel}@{}", self.rev), e))?;
        let mut files = Vec::new();
        for name in String::from_utf8_lossy(&list).lines() {
            let inner = name
                .strip_prefix(&format!("{rel}/"))
                .unwrap_or(name)
                .to_string();
            if is_library_file(Path::new(&inner)) {
                files.push(RawFile {
                    bytes: self.show(name)?,
                    rel: inner,
                });
            }
        }
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        Ok(RawTree {
            display_root: format!("{}@{}", dir.display(), self.rev),
            files,
        })
    }
}
