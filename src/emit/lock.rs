//! The output directory, locked for the lifetime of a render.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::{Written, io, remove_debris, write};
use crate::diagnostic::Diagnostic;
use crate::render::Manifests;

/// An output directory this process writes into, exclusively: other stackc
/// processes writing to it wait until it is dropped.
pub struct Output {
    dir: PathBuf,
    _lock: File,
}

impl Output {
    /// Creates `dir` if needed, takes its exclusive lock (calling
    /// `waiting` once if another process holds it) and removes staging
    /// directories that killed renders left behind.
    pub fn open(dir: &Path, waiting: impl FnOnce()) -> Result<Output, Diagnostic> {
        fs::create_dir_all(dir).map_err(|e| io("cannot create the output directory", dir, e))?;
        let lock = lock(dir, Mode::Exclusive, waiting)?;
        remove_debris(dir);
        Ok(Output {
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    /// Writes a site's files to `<dir>/<site>/`, replacing the previous
    /// tree; an identical tree is left untouched (no writes, mtimes kept).
    pub fn write(&self, m: &Manifests) -> Result<(PathBuf, Written), Diagnostic> {
        write(&self.dir, m)
    }
}

/// A shared lock on an existing output directory, for reading it whole
/// (`render --check`): no render swaps trees while it is held.
pub fn shared(dir: &Path) -> Option<File> {
    if !dir.is_dir() {
        return None;
    }
    lock(dir, Mode::Shared, || {}).ok()
}

#[derive(Clone, Copy)]
enum Mode {
    Shared,
    Exclusive,
}

fn lock(dir: &Path, mode: Mode, waiting: impl FnOnce()) -> Result<File, Diagnostic> {
    let f = File::open(dir).map_err(|e| io("cannot open the output directory", dir, e))?;
    #[cfg(unix)]
    {
        use rustix::fs::{FlockOperation as Op, flock};
        let (try_op, op) = match mode {
            Mode::Shared => (Op::NonBlockingLockShared, Op::LockShared),
            Mode::Exclusive => (Op::NonBlockingLockExclusive, Op::LockExclusive),
        };
        match flock(&f, try_op) {
            Ok(()) => {}
            Err(rustix::io::Errno::WOULDBLOCK) => {
                waiting();
                flock(&f, op).map_err(|e| {
                    io(
                        "cannot lock the output directory",
                        dir,
                        std::io::Error::from(e),
                    )
                })?;
            }
            // File systems without locks (some network mounts): go on
            // unlocked, as before locking existed.
            Err(rustix::io::Errno::NOLCK | rustix::io::Errno::OPNOTSUPP) => {}
            Err(e) => {
                return Err(io(
                    "cannot lock the output directory",
                    dir,
                    std::io::Error::from(e),
                ));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (mode, waiting);
    Ok(f)
}
