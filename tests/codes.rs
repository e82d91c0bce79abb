//! Every diagnostic code has a doc page, and every page a code.

mod common;

use stackc::diagnostic::Code;

#[test]
fn codes_and_pages_are_in_sync() {
    let pages: Vec<String> = common::files_in("docs/codes", &["md"])
        .into_iter()
        .map(|p| {
            p.trim_start_matches("docs/codes/")
                .trim_end_matches(".md")
                .to_string()
        })
        .filter(|p| p != "README")
        .collect();
    let mut codes: Vec<String> = Code::ALL.iter().map(|c| c.as_str().to_string()).collect();
    codes.sort();
    assert_eq!(pages, codes, "docs/codes/*.md and Code::ALL differ");
    let index = std::fs::read_to_string(common::repo().join("docs/codes/README.md")).unwrap();
    for code in Code::ALL {
        let page = std::fs::read_to_string(
            common::repo().join(format!("docs/codes/{}.md", code.as_str())),
        )
        .unwrap();
        let heading = format!("# {}: {}\n", code.as_str(), code.title());
        assert!(
            page.starts_with(&heading),
            "{} page heading should be {heading:?}",
            code.as_str()
        );
        assert!(
            page.contains("## How to fix"),
            "{} page explains the fix",
            code.as_str()
        );
        assert!(
            index.contains(&format!("[{0}]({0}.md)", code.as_str())),
            "{} is in the index",
            code.as_str()
        );
    }
}

#[test]
fn codes_are_unique() {
    let mut all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n);
}
