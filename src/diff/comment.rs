//! Markdown that fits a pull-request comment: GitHub refuses comment
//! bodies over 65,536 characters. A diff over the budget is cut at a line
//! boundary (tables stay tables; an open `<details>` block is closed) and
//! ends with a note naming the components whose changes are not shown, and
//! how to see all of them.

/// GitHub's limit on a comment body, in characters.
pub const COMMENT_LIMIT: usize = 65_536;

/// The most characters `stackc diff --format markdown` prints: the
/// comment limit less room for a CI recipe's own lines around it (a
/// marker, a heading per site).
pub const MARKDOWN_BUDGET: usize = 60_000;

const _: () = assert!(MARKDOWN_BUDGET < COMMENT_LIMIT);

/// The opening line of a component's folded block, as the Markdown
/// formats write it.
const DETAILS_OPEN: &str = "<details><summary><b>";

/// At most this many components are named in the note.
const NAMED: usize = 12;

/// `markdown` itself when it has at most `budget` characters; otherwise
/// its longest prefix of whole lines that fits with the note saying what
/// was left out. Linear in the input.
pub fn fit(markdown: String, budget: usize) -> String {
    if markdown.chars().count() <= budget {
        return markdown;
    }
    let lines: Vec<&str> = markdown.split_inclusive('\n').collect();
    // Room for the longest note any cut can need: the fixed text, NAMED
    // of the longest names (quoted, comma-separated), a closing tag, " (in
    // part)" and a count.
    let longest = lines
        .iter()
        .filter_map(|l| opens(l))
        .map(|c| c.chars().count())
        .max();
    let reserve = note(&[], 0).chars().count() + NAMED * (longest.unwrap_or(0) + 4) + 64;
    let mut kept = 0;
    let mut used = 0;
    for line in &lines {
        used += line.chars().count();
        if used + reserve > budget {
            break;
        }
        kept += 1;
    }
    let mut out: String = lines[..kept].concat();
    out.push_str(&note(&lines, kept));
    out
}

/// The component a line opens a block for.
fn opens(line: &str) -> Option<&str> {
    line.strip_prefix(DETAILS_OPEN)?.split("</b>").next()
}

/// What closes the first `kept` lines: `</details>` when a block is open,
/// then the note naming the components not (fully) shown.
fn note(lines: &[&str], kept: usize) -> String {
    let open_block = lines[..kept]
        .iter()
        .rev()
        .find_map(|l| match l.trim_end() {
            "</details>" => Some(None),
            l => opens(l).map(Some),
        })
        .flatten();
    let mut missing: Vec<String> = open_block
        .iter()
        .map(|c| format!("`{c}` (in part)"))
        .chain(
            lines[kept..]
                .iter()
                .filter_map(|l| opens(l))
                .map(|c| format!("`{c}`")),
        )
        .collect();
    let mut out = String::new();
    if open_block.is_some() {
        out.push_str("\n</details>\n");
    }
    let what = if missing.is_empty() {
        format!("the last {} lines", lines.len() - kept)
    } else {
        if missing.len() > NAMED {
            let more = missing.len() - NAMED;
            missing.truncate(NAMED);
            missing.push(format!("{more} more"));
        }
        format!("the changes of {}", missing.join(", "))
    };
    out.push_str(&format!(
        "\n**Not shown** (a pull-request comment holds at most 65,536 characters): {what}. \
         Run `stackc diff` locally, or see the CI job's log, for the whole diff.\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(component: &str, rows: usize) -> String {
        let mut s = format!("\n{DETAILS_OPEN}{component}</b></summary>\n\n| a | b |\n|---|---|\n");
        for i in 0..rows {
            s.push_str(&format!("| {component} row {i} | x |\n"));
        }
        s.push_str("\n</details>\n");
        s
    }

    #[test]
    fn short_markdown_is_left_alone() {
        let md = format!("### stackc diff\n{}", block("nova", 3));
        assert_eq!(fit(md.clone(), md.len()), md);
    }

    #[test]
    fn long_markdown_is_cut_at_a_line_and_says_what_is_missing() {
        let md = format!(
            "### stackc diff\n{}{}{}",
            block("glance", 5),
            block("nova", 200),
            block("placement", 5)
        );
        let budget = 2_000;
        let out = fit(md.clone(), budget);
        assert!(out.chars().count() <= budget, "{}", out.chars().count());
        assert!(out.starts_with(&md[..md.find("nova row 0").unwrap()]));
        assert!(
            out.contains("the changes of `nova` (in part), `placement`."),
            "{out}"
        );
        assert_eq!(
            out.matches("<details>").count(),
            out.matches("</details>").count(),
            "blocks are closed:\n{out}"
        );
        // Cut after a whole row.
        let last_row = out.lines().rfind(|l| l.starts_with("| nova row")).unwrap();
        assert!(md.contains(&format!("{last_row}\n")));
    }

    #[test]
    fn many_components_are_counted_not_all_named() {
        let md: String = (0..40).map(|i| block(&format!("c{i}"), 20)).collect();
        let out = fit(md, 3_000);
        assert!(out.chars().count() <= 3_000);
        assert!(out.contains(" more. Run `stackc diff`"), "{out}");
    }

    #[test]
    fn multibyte_text_is_counted_in_characters() {
        let md = "→ é ✓ → é ✓\n".repeat(200);
        let out = fit(md.clone(), 1_000);
        assert!(out.chars().count() <= 1_000);
        assert!(out.len() > 1_000, "bytes may exceed the character budget");
        assert!(out.contains("the last "), "{out}");
    }
}
