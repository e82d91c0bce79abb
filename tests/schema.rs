//! The site JSON Schema and the typed model describe the same format.

mod common;

use common::*;
use stackc::model::{CHECKED_STRINGS, Site};
use stackc::source::{Files, Layer, SourceFile};
use stackc::validate::{self, schema};

/// Parses a file the way `validate` does: (JSON form, typed decode result).
fn parsed(path: &str) -> Option<(serde_json::Value, Result<Site, String>)> {
    let bytes = std::fs::read(repo().join(path)).unwrap();
    let text = String::from_utf8(bytes).ok()?;
    let mut files = Files::new();
    let id = files.add(SourceFile::new(path, text, Layer::Site));
    let (doc, diags) = stackc::load::parse_one(id, &files);
    if diags.iter().any(|d| d.is_error()) {
        return None;
    }
    let mut doc = doc?;
    validate::normalize(&mut doc, &files);
    let typed = stackc::decode::from_node::<Site>(&doc).map_err(|e| e.to_string());
    Some((doc.to_json(), typed))
}

fn json_of(path: &str) -> Option<serde_json::Value> {
    parsed(path).map(|(j, _)| j)
}

fn all_inputs() -> Vec<String> {
    let mut v = sites();
    v.extend(files_in("tests/cases/invalid", &["yaml"]));
    v
}

#[test]
fn schema_and_structs_agree_on_every_example_and_bad_case() {
    let mut compared = 0;
    for path in all_inputs() {
        let Some((json, by_serde)) = parsed(&path) else {
            continue;
        };
        let by_schema = schema::is_valid(&json);
        assert_eq!(
            by_schema,
            by_serde.is_ok(),
            "{path}: schema says {by_schema}, structs say {:?}",
            by_serde.err()
        );
        compared += 1;
    }
    assert!(compared >= 30, "compared {compared} documents");
}

#[test]
fn schema_defaults_match_struct_defaults() {
    for path in sites() {
        let json = json_of(&path).unwrap();
        let plain: Site = serde_json::from_value(json.clone()).unwrap();
        let mut filled = json;
        schema::apply_defaults(&mut filled);
        let filled: Site = serde_json::from_value(filled).unwrap();
        assert_eq!(
            serde_json::to_value(&plain).unwrap(),
            serde_json::to_value(&filled).unwrap(),
            "{path}: schema defaults differ from serde defaults"
        );
    }
}

#[test]
fn checked_string_patterns_are_the_schemas() {
    let defs = &schema::schema()["$defs"];
    for (name, pattern, max, _) in CHECKED_STRINGS {
        assert_eq!(defs[name]["pattern"], *pattern, "$defs.{name}.pattern");
        assert_eq!(
            defs[name]["maxLength"], *max as u64,
            "$defs.{name}.maxLength"
        );
    }
}

#[test]
fn schema_lists_every_library_component() {
    let lib = common::embedded_library();
    let props: Vec<&String> =
        schema::schema()["properties"]["spec"]["properties"]["services"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
    let mut props: Vec<&str> = props.iter().map(|s| s.as_str()).collect();
    props.sort();
    let comps: Vec<&str> = lib.components.keys().map(String::as_str).collect();
    assert_eq!(props, comps);
}

#[test]
fn schema_is_valid_draft_2020_12() {
    assert!(jsonschema::meta::is_valid(schema::schema()));
}

#[test]
fn stackc_schema_prints_the_committed_file() {
    let (code, out, _) = run(stackc().arg("schema"));
    assert_eq!(code, 0);
    let file = std::fs::read_to_string(repo().join("schemas/site.schema.json")).unwrap();
    assert_eq!(out, file);
}
