//! Property tests: `validate` never panics, every span lies inside its file,
//! and the schema and the typed model agree on mutated sites.

mod common;

use std::sync::LazyLock;

use proptest::prelude::*;
use serde_json::Value as J;
use stackc::library::Library;
use stackc::model::Site;
use stackc::source::{Files, Layer, SourceFile};
use stackc::validate::{self, schema};

static LIB: LazyLock<Library> = LazyLock::new(common::embedded_library);

/// Validates text in-process; checks the invariants that hold for any input.
fn check_text(text: &str) {
    let mut files = LIB.files.clone();
    let id = files.add(SourceFile::new("prop.yaml", text, Layer::Site));
    let len = text.len() as u32;
    let check = validate::check_registered(id, files, &LIB);
    for d in &check.diagnostics {
        if let Some(span) = d.span()
            && span.file == id
        {
            assert!(
                span.start <= len && span.end <= len,
                "span {span:?} outside a {len}-byte file"
            );
        }
        assert!(d.help.is_some(), "diagnostic without help: {d:?}");
    }
    assert_eq!(check.site.is_some(), !check.has_errors());
}

fn scalar() -> impl Strategy<Value = J> {
    prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        (-5i64..2000).prop_map(J::from),
        (-1e6f64..1e6).prop_map(|f| serde_json::Number::from_f64(f).map_or(J::Null, J::Number)),
        prop::sample::select(vec![
            "",
            "ovn",
            "ceph",
            "local",
            "kvm",
            "2025.1",
            "nova",
            "x",
            "Lab_East",
            "457eb676-33da-42ec-9a8c-9293d545c337",
            "10.0.0.1:6789",
            "yes",
            "~",
            "a b",
            "{",
            "*",
            "é",
            "ClusterIssuer",
        ])
        .prop_map(|s| J::String(s.to_string())),
    ]
}

fn value() -> impl Strategy<Value = J> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(J::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "enabled", "replicas", "values", "backend", "ceph", "name", "kind", "password",
                    "x"
                ]),
                inner,
                0..4
            )
            .prop_map(|m| J::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

fn example_sites() -> Vec<J> {
    common::sites()
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(common::repo().join(p)).unwrap();
            let mut files = Files::new();
            let id = files.add(SourceFile::new(p.as_str(), text, Layer::Site));
            stackc::load::parse_one(id, &files).0.unwrap().to_json()
        })
        .collect()
}

/// Every path to a node of `v` (keys and indices).
fn paths(v: &J, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    match v {
        J::Object(m) => {
            for (k, c) in m {
                prefix.push(k.clone());
                paths(c, prefix, out);
                prefix.pop();
            }
        }
        J::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                prefix.push(i.to_string());
                paths(c, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn set(v: &mut J, path: &[String], new: J) {
    match path.split_first() {
        None => *v = new,
        Some((head, rest)) => match v {
            J::Object(m) => {
                if let Some(c) = m.get_mut(head) {
                    set(c, rest, new)
                }
            }
            J::Array(a) => {
                if let Some(c) = head.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                    set(c, rest, new)
                }
            }
            _ => {}
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_text(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn yaml_like_text_never_panics(text in "[a-z: {}\\[\\],\\-\\n\\r&*!|>\"'#0-9.~\t]{0,400}") {
        check_text(&text);
    }

    #[test]
    fn arbitrary_documents_never_panic(doc in value()) {
        check_text(&stackc::yaml::to_string(&doc));
    }

    #[test]
    fn mutated_sites_schema_and_structs_agree(site in 0usize..3, pick in any::<prop::sample::Index>(), new in value()) {
        let mut doc = example_sites()[site % 3].clone();
        let mut all = Vec::new();
        paths(&doc, &mut Vec::new(), &mut all);
        let path = pick.get(&all).clone();
        set(&mut doc, &path, new);
        let text = stackc::yaml::to_string(&doc);
        let mut files = Files::new();
        let id = files.add(SourceFile::new("m.yaml", text.as_str(), Layer::Site));
        let mut node = stackc::load::parse_one(id, &files).0.expect("serialised YAML parses");
        validate::normalize(&mut node, &files);
        let by_schema = schema::is_valid(&node.to_json());
        let by_serde = stackc::decode::from_node::<Site>(&node);
        prop_assert_eq!(by_schema, by_serde.is_ok(), "path {:?}: serde {:?}\n{}", path, by_serde.err(), text);
        check_text(&text);
    }
}

fn any_json() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(J::Null, J::Number)),
        any::<String>().prop_map(J::String),
        "[ -~\n]{0,20}".prop_map(J::String),
        prop::sample::select(vec![
            "yes", "on", "0755", "1:20", "2025.1", "~", "- a", "a: b", "|", "x\n", "\n", " a\nb",
            "a \n"
        ])
        .prop_map(|s| J::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(J::Array),
            prop::collection::btree_map("[ -~]{0,8}|yes|1|null", inner, 0..5)
                .prop_map(|m| J::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// What stackc writes, both stackc's reader and serde_yaml read back
    /// exactly.
    #[test]
    fn writer_round_trips_through_both_readers(v in any_json()) {
        let text = stackc::yaml::to_string(&v);
        let reread = stackc::yaml::reparse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(reread, v.clone(), "serde_yaml:\n{}", text);
        let mut files = Files::new();
        let id = files.add(SourceFile::new("w.yaml", text.as_str(), Layer::Rendered));
        let (doc, diags) = stackc::load::parse_one(id, &files);
        prop_assert!(diags.is_empty(), "{:?}\n{}", diags, text);
        prop_assert_eq!(doc.unwrap().to_json(), v, "stackc reader:\n{}", text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// The hand-written checks of the site model's string types accept
    /// exactly what the schema's patterns (and length limits) accept.
    #[test]
    fn checked_strings_equal_their_schema_patterns(
        s in prop_oneof![
            "[a-zA-Z0-9._:/\\[\\]-]{0,24}",
            "[a-f0-9-]{30,40}",
            "[a-z0-9]{1,8}(\\.[a-z0-9-]{0,8}){0,3}(/[A-Za-z0-9._-]{0,8})?",
            "(\\[[0-9a-f:.]{0,8}\\]|[a-z0-9.-]{0,8})(:[0-9]{0,6})?",
            "[a-z0-9-]{60,70}",
            // Near misses of the structured types.
            "[0-9a-fA-Fg]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{3,5}-[0-9a-f]{11,13}",
            "[0-9a-f]{7,9}-[0-9a-f]{3,5}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[a-z0-9-]{0,3}[a-zA-Z0-9_.-]{0,6}[a-z0-9-]{0,2}",
            "[a-z0-9.-]{1,10}/[A-Za-z0-9_.-]{0,10}",
            "[A-Za-z0-9_][A-Za-z0-9/_.-]{0,6}",
            // Image references: registry, path, tag and digest, and near misses.
            "[a-zA-Z0-9.-]{1,8}(:[0-9]{0,6})?(/[a-z0-9._A-]{0,6}){1,3}(:[A-Za-z0-9_.-]{0,8})?(@sha256:[0-9a-f]{62,65})?",
            "[a-z0-9]{1,4}/[a-z0-9]{1,4}[:@][a-z0-9:]{0,72}",
        ]
    ) {
        for (name, pattern, max, check) in stackc::model::CHECKED_STRINGS {
            let re = regex::Regex::new(pattern).unwrap();
            let want = s.chars().count() <= *max && re.is_match(&s);
            prop_assert_eq!(check(&s), want, "{} on {:?}", name, s);
        }
    }
}
