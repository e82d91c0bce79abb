//! The progress line: drawn while rendering several sites when stderr is a
//! terminal (a real pseudo-terminal from util-linux `script`), never when
//! it is not.

mod common;

use std::process::Command;

use common::*;

/// `stackc render sites -o OUT` with its output captured through a
/// pseudo-terminal: (exit code, everything the terminal showed).
fn render_on_a_terminal(out: &std::path::Path) -> (i32, String) {
    let bin = env!("CARGO_BIN_EXE_stackc");
    let line = format!("{bin} render sites -o {}", out.display());
    let script = which("script");
    let o = Command::new(script)
        .args(["-qec", &line, "/dev/null"])
        .current_dir(repo())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// A program on PATH; fails (never skips) when it is missing.
fn which(name: &str) -> std::path::PathBuf {
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| panic!("`{name}` (util-linux) is needed by this test"))
}

#[test]
fn rendering_several_sites_shows_progress_on_a_terminal_only() {
    let n = sites().len();
    let dir = tempfile::tempdir().unwrap();
    let (code, shown) = render_on_a_terminal(&dir.path().join("tty"));
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("rendering [") && shown.contains(&format!("/{n} ")),
        "a progress line on a terminal:\n{shown}"
    );
    assert!(
        shown.contains("\x1b[2K"),
        "the line is cleared when done:\n{shown}"
    );

    let (code, stdout, stderr) = run(stackc()
        .args(["render", "sites", "-o"])
        .arg(dir.path().join("pipe")));
    assert_eq!(code, 0, "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains("rendering [") && !text.contains('\x1b') && !text.contains('\r'),
            "nothing but results when not a terminal:\n{text}"
        );
    }
    assert_eq!(
        stderr.lines().count(),
        n,
        "one result line per site:\n{stderr}"
    );
}
