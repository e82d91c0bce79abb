//! Output stays atomic and owned under concurrency and kills: many sites
//! with prefix-sharing names in one call, several processes on one output
//! directory, `kill -9` at any moment. Every round must end with complete,
//! marked trees and no staging debris.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use common::*;

/// Names sharing prefixes (`a` is a prefix of `a-1`, which is a prefix of
/// `a-1-0` and `a-10`).
const NAMES: &[&str] = &["a", "a-1", "a-3", "a-4", "a-10", "a-1-0", "prod", "prod-2"];

/// The example `prod-ha` site named `name`, in one of two variants (the
/// region differs, so consecutive rounds replace every tree).
fn site(name: &str, variant: usize) -> String {
    let text = std::fs::read_to_string(repo().join("sites/prod-ha.yaml")).unwrap();
    let text = text.replacen("  name: prod-east\n", &format!("  name: {name}\n"), 1);
    assert!(text.contains(&format!("  name: {name}\n")));
    text.replacen(
        "  region: EuWest1\n",
        &format!("  region: EuWest{}\n", variant + 1),
        1,
    )
}

/// The expected tree of every name in both variants, rendered one at a time.
fn expected(names: &[&str]) -> BTreeMap<(String, usize), BTreeMap<String, Vec<u8>>> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = BTreeMap::new();
    for variant in 0..2 {
        for name in names {
            let p = dir.path().join(format!("{name}.yaml"));
            std::fs::write(&p, site(name, variant)).unwrap();
            let o = dir.path().join(format!("out-{variant}"));
            let (code, _, err) = run(stackc().arg("render").arg(&p).arg("-o").arg(&o));
            assert_eq!(code, 0, "{err}");
            let tree = read_tree(&o.join(name));
            assert!(tree.len() > 40 && tree.contains_key(".stackc"));
            out.insert((name.to_string(), variant), tree);
        }
    }
    out
}

/// Every entry of `out` is one of `names`, holding a complete, marked tree
/// of one of the allowed variants; nothing else (no staging directory).
fn assert_complete(
    out: &Path,
    names: &[&str],
    expected: &BTreeMap<(String, usize), BTreeMap<String, Vec<u8>>>,
    variants: &[usize],
    round: &str,
) {
    let mut entries: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    let mut want: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    want.sort();
    assert_eq!(entries, want, "{round}: entries of the output directory");
    for name in names {
        let tree = read_tree(&out.join(name));
        let ok = variants
            .iter()
            .any(|v| expected[&(name.to_string(), *v)] == tree);
        assert!(
            ok,
            "{round}: {name} is not a complete tree ({} files, marker: {})",
            tree.len(),
            tree.contains_key(".stackc")
        );
    }
}

#[test]
fn prefix_sharing_sites_in_one_call() {
    let expected = expected(NAMES);
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites");
    std::fs::create_dir(&sites).unwrap();
    let out = dir.path().join("out");
    for round in 0..10 {
        let variant = round % 2;
        for name in NAMES {
            std::fs::write(sites.join(format!("{name}.yaml")), site(name, variant)).unwrap();
        }
        let (code, _, err) = run(stackc().arg("render").arg(&sites).arg("-o").arg(&out));
        assert_eq!(code, 0, "round {round}: {err}");
        assert_eq!(err.matches("rendered ").count(), NAMES.len(), "{err}");
        assert_complete(
            &out,
            NAMES,
            &expected,
            &[variant],
            &format!("round {round}"),
        );
    }
}

fn spawn_render(site: &Path, out: &Path) -> Child {
    stackc()
        .arg("render")
        .arg(site)
        .arg("-o")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn several_processes_on_one_output() {
    let names = &["a", "a-1", "a-10"];
    let expected = expected(names);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let path = |name: &str, variant: usize| dir.path().join(format!("{name}-{variant}.yaml"));
    for name in names {
        for variant in 0..2 {
            std::fs::write(path(name, variant), site(name, variant)).unwrap();
        }
    }
    for round in 0..6 {
        // Five processes on the same site (two variants racing), and one
        // on each prefix-sharing neighbour, all at once.
        let mut children = Vec::new();
        for i in 0..5 {
            children.push(spawn_render(&path("a", (round + i) % 2), &out));
        }
        for name in &names[1..] {
            children.push(spawn_render(&path(name, round % 2), &out));
        }
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(
                o.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        assert_complete(&out, names, &expected, &[0, 1], &format!("round {round}"));
    }
}

#[test]
fn killed_renders_leave_old_or_new_trees_and_their_debris_is_removed() {
    let names = &["a", "a-1", "a-3", "a-4", "b"];
    let expected = expected(names);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let sites: Vec<PathBuf> = (0..2)
        .map(|variant| {
            let d = dir.path().join(format!("sites-{variant}"));
            std::fs::create_dir(&d).unwrap();
            for name in names {
                std::fs::write(d.join(format!("{name}.yaml")), site(name, variant)).unwrap();
            }
            d
        })
        .collect();
    let (code, _, err) = run(stackc().arg("render").arg(&sites[0]).arg("-o").arg(&out));
    assert_eq!(code, 0, "{err}");
    for round in 0..24u64 {
        let variant = ((round + 1) % 2) as usize;
        let mut child = spawn_render(&sites[variant], &out);
        std::thread::sleep(std::time::Duration::from_millis(round * 7 % 90));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever the moment: every tree is an old or a new one, complete.
        for name in names {
            let tree = read_tree(&out.join(name));
            let ok = (0..2).any(|v| expected[&(name.to_string(), v)] == tree);
            assert!(
                ok,
                "round {round}: {name} half-written ({} files)",
                tree.len()
            );
        }
    }
    // The next render, even one that changes nothing, removes the debris.
    let (code, _, err) = run(stackc().arg("render").arg(&sites[1]).arg("-o").arg(&out));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(stackc().arg("render").arg(&sites[1]).arg("-o").arg(&out));
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("unchanged ").count(), names.len(), "{err}");
    assert_complete(&out, names, &expected, &[1], "after the kills");
}

#[test]
fn debris_of_a_killed_render_is_removed_by_an_unchanged_render() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let p = dir.path().join("a.yaml");
    std::fs::write(&p, site("a", 0)).unwrap();
    let (code, _, err) = run(stackc().arg("render").arg(&p).arg("-o").arg(&out));
    assert_eq!(code, 0, "{err}");
    let marker_time = std::fs::metadata(out.join("a/.stackc"))
        .unwrap()
        .modified()
        .unwrap();
    // A kill during the removal of the swapped-out tree: part of the old
    // tree, no marker. A kill before the swap: a marker, part of a new tree.
    // And the name format of older releases.
    for (name, files) in [
        (".stackc-staging.a.k1ll3d00", vec!["nova/helmrelease.yaml"]),
        (
            ".stackc-staging.a-1.k1ll3d01",
            vec![".stackc", "keystone/helmrelease.yaml"],
        ),
        (".stackc-staging-a-1-legacy", vec!["tree/glance/x.yaml"]),
        (".stackc-staging.b.empty000", vec![]),
    ] {
        let d = out.join(name);
        std::fs::create_dir_all(&d).unwrap();
        for f in files {
            let f = d.join(f);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, "kind: Debris\n").unwrap();
        }
    }
    let (code, _, err) = run(stackc().arg("render").arg(&p).arg("-o").arg(&out));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("unchanged"), "{err}");
    let entries: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, ["a"]);
    let after = std::fs::metadata(out.join("a/.stackc"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(marker_time, after, "an unchanged tree is not rewritten");
}
