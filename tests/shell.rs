//! Completions, man pages and `--version`, all generated from the clap
//! definitions: the bash script is loaded into a real bash and asked for
//! completions; the man pages are typeset by groff.

mod common;

use std::process::Command;

use common::*;

/// The subcommands, as clap defines them.
fn subcommands() -> Vec<String> {
    stackc::cli::Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect()
}

fn completions(shell: &str) -> String {
    let (code, script, err) = run(stackc().args(["completions", shell]));
    assert_eq!((code, err.as_str()), (0, ""), "{shell}");
    script
}

/// What bash completes for the words of `line` (the last word is the one
/// being completed), with the script loaded as a user would.
fn bash_completes(script: &std::path::Path, line: &[&str]) -> Vec<String> {
    let program = r#"
set -e
source "$1"
shift
complete -p stackc >/dev/null
COMP_WORDS=("$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
_stackc stackc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", program, "bash"])
        .arg(script)
        .args(line)
        .current_dir(repo())
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{line:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_commands_options_and_library_names() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("stackc.bash");
    std::fs::write(&script, completions("bash")).unwrap();
    let lib = embedded_library();
    let releases: Vec<String> = lib.releases.keys().cloned().collect();
    let profiles: Vec<String> = lib.profiles.keys().cloned().collect();
    let components: Vec<String> = lib.components.keys().cloned().collect();

    let words = bash_completes(&script, &["stackc", ""]);
    for sub in subcommands() {
        assert!(words.contains(&sub), "`{sub}` in {words:?}");
    }
    assert_eq!(bash_completes(&script, &["stackc", "ini"]), ["init"]);
    assert_eq!(
        bash_completes(&script, &["stackc", "init", "lab", "--release", ""]),
        releases
    );
    assert_eq!(
        bash_completes(
            &script,
            &["stackc", "diff", "sites/lab-aio.yaml", "--release", "2025."]
        ),
        releases
            .iter()
            .filter(|r| r.starts_with("2025."))
            .cloned()
            .collect::<Vec<_>>()
    );
    assert_eq!(
        bash_completes(&script, &["stackc", "init", "lab", "--profile", ""]),
        profiles
    );
    assert_eq!(
        bash_completes(&script, &["stackc", "init", "lab", "--with", ""]),
        components
    );
    assert_eq!(
        bash_completes(&script, &["stackc", "validate", "--message-format", ""]),
        ["human", "json", "github", "gitlab"]
    );
    let opts = bash_completes(&script, &["stackc", "render", "--"]);
    for flag in ["--check", "--target", "--output", "--library", "--layer"] {
        assert!(opts.iter().any(|o| o == flag), "{flag} in {opts:?}");
    }
}

/// Every script names every command; bash, zsh and fish also complete
/// values (clap_complete's PowerShell and Elvish scripts complete commands
/// and flags only).
#[test]
fn every_shell_gets_a_script_naming_every_command() {
    let lib = embedded_library();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = completions(shell);
        for name in subcommands().into_iter().chain(["message-format".into()]) {
            assert!(script.contains(&name), "{shell}: `{name}` missing");
        }
        if matches!(shell, "bash" | "zsh" | "fish") {
            let values = lib.releases.keys().chain(lib.components.keys());
            for name in values.chain(&["gitlab".to_string()]) {
                assert!(script.contains(name.as_str()), "{shell}: `{name}` missing");
            }
        }
    }
    let (code, _, err) = run(stackc().args(["completions", "tcsh"]));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn man_pages_typeset_cleanly_one_per_command() {
    let (code, page, _) = run(stackc().arg("man"));
    assert_eq!(code, 0);
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "roff");
    assert!(page.contains(".TH stackc 1"), "{page}");
    for sub in subcommands().into_iter().filter(|s| s != "help") {
        assert!(page.contains(&format!("stackc\\-{sub}(1)")), "SEE {sub}");
    }
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(stackc().args(["man", "-o"]).arg(dir.path().join("man1")));
    assert_eq!(code, 0, "{err}");
    let mut pages: Vec<String> = std::fs::read_dir(dir.path().join("man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    let mut expected: Vec<String> = vec!["stackc.1".into(), "stackc-library-list.1".into()];
    expected.extend(
        subcommands()
            .iter()
            .filter(|s| *s != "help")
            .map(|s| format!("stackc-{s}.1")),
    );
    expected.sort();
    assert_eq!(pages, expected);
    for p in &pages {
        // -k: UTF-8 input, as man(1) reads it; -ww: every warning; plain
        // text out (no overstriking).
        let out = Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-P-cbou"])
            .arg(dir.path().join("man1").join(p))
            .output()
            .expect("groff runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{p}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("SYNOPSIS"), "{p}");
    }
    let (code, _, err) = run(stackc().args(["man", "-o", "Cargo.toml"]));
    assert_eq!(code, 2);
    assert!(err.contains("E0001"), "{err}");
}

#[test]
fn version_lists_the_embedded_releases() {
    let releases: Vec<String> = embedded_library().releases.keys().cloned().collect();
    let version = env!("CARGO_PKG_VERSION");
    let (code, out, _) = run(stackc().arg("--version"));
    assert_eq!(code, 0);
    assert_eq!(
        out,
        format!(
            "stackc {version}\nembedded library releases: {}\n",
            releases.join(", ")
        )
    );
    let (_, short, _) = run(stackc().arg("-V"));
    assert_eq!(short, format!("stackc {version}\n"));
}
