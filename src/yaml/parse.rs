//! YAML text -> [`Node`] trees, with spans and hard limits.
//!
//! Built on the `saphyr-parser` event stream (no recursion in the parser) and
//! an explicit stack here, so hostile input cannot overflow the stack:
//! nesting depth, total node count (including alias expansions) and flow
//! nesting are bounded, duplicate keys are reported, and every failure is a
//! located [`ParseError`].

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as PSpan, Tag};

use super::node::{Entry, Map, Node, PathSeg, Value};
use crate::source::{FileId, SourceFile, Span};

/// Maximum nesting of maps and lists.
pub const MAX_DEPTH: usize = 64;
/// Maximum number of nodes in one stream, counting alias expansions.
pub const MAX_NODES: usize = 250_000;
/// Maximum bytes of scalar text in one stream, counting alias expansions
/// (the text of an aliased node counts once per alias).
pub const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    Syntax,
    DuplicateKey { first: Span },
    TooDeep,
    TooManyNodes,
    TooMuchText,
    UnsupportedTag(String),
    ComplexKey,
    UnknownAlias,
}

/// A located problem found while reading YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub span: Span,
    pub message: String,
}

/// What [`parse_stream`] read.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The documents that could be built.
    pub docs: Vec<Node>,
    /// Every error found.
    pub errors: Vec<ParseError>,
    /// After an error: the part of the document read before it (complete
    /// nodes only), for finding secret values to redact.
    pub partial: Option<Node>,
}

/// Parses every document of a YAML stream.
///
/// A syntax error stops parsing (the rest of the stream cannot be
/// trusted); duplicate keys do not.
pub fn parse_stream(file_id: FileId, file: &SourceFile) -> Parsed {
    let mut b = Builder {
        file_id,
        file,
        stack: Vec::new(),
        anchors: HashMap::new(),
        docs: Vec::new(),
        errors: Vec::new(),
        nodes: 0,
        bytes: 0,
        ascii: file.text.is_ascii(),
    };
    let text: &str = &file.text;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = file.text.len() - text.len();
    let mut parser = Parser::new_from_str(text);
    b.run(&mut parser, bom);
    let partial = b.partial();
    Parsed {
        docs: b.docs,
        errors: b.errors,
        partial,
    }
}

enum Frame {
    Seq {
        start: Span,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: Span,
        anchor: usize,
        map: Map,
        key: Option<(String, Span)>,
    },
}

struct Builder<'a> {
    file_id: FileId,
    file: &'a SourceFile,
    stack: Vec<Frame>,
    /// Anchored nodes with their node count and text bytes.
    anchors: HashMap<usize, (Node, usize, usize)>,
    docs: Vec<Node>,
    errors: Vec<ParseError>,
    nodes: usize,
    bytes: usize,
    ascii: bool,
}

impl Builder<'_> {
    fn run(&mut self, parser: &mut Parser<'_, saphyr_parser::StrInput<'_>>, bom: usize) {
        loop {
            let (event, pspan) = match parser.next_event() {
                None => return,
                Some(Ok(ev)) => ev,
                Some(Err(e)) => {
                    let m = e.marker();
                    let off = self.offset(m.line(), m.col(), bom);
                    let span = Span::new(self.file_id, off, off);
                    let info = e.info();
                    let (kind, message) = if info.contains("recursion limit") {
                        (
                            ParseErrorKind::TooDeep,
                            format!("YAML nesting is deeper than the limit of {MAX_DEPTH} levels"),
                        )
                    } else {
                        (ParseErrorKind::Syntax, format!("YAML syntax error: {info}"))
                    };
                    self.errors.push(ParseError {
                        kind,
                        span,
                        message,
                    });
                    return;
                }
            };
            let span = self.span(&pspan, bom);
            let result = match event {
                Event::StreamEnd => return,
                Event::StreamStart
                | Event::DocumentStart(_)
                | Event::DocumentEnd
                | Event::Nothing => Ok(()),
                Event::Scalar(text, style, anchor, tag) => {
                    self.scalar(text, style, anchor, tag.as_deref(), span)
                }
                Event::SequenceStart(anchor, tag) => self.open(
                    tag.as_deref(),
                    "seq",
                    Frame::Seq {
                        start: span,
                        anchor,
                        items: Vec::new(),
                    },
                    span,
                ),
                Event::MappingStart(anchor, tag) => self.open(
                    tag.as_deref(),
                    "map",
                    Frame::Map {
                        start: span,
                        anchor,
                        map: Map::new(),
                        key: None,
                    },
                    span,
                ),
                Event::SequenceEnd | Event::MappingEnd => self.close(span),
                Event::Alias(id) => self.alias(id, span),
            };
            if let Err(e) = result {
                self.errors.push(e);
                return;
            }
        }
    }

    fn offset(&self, line: usize, col: usize, bom: usize) -> usize {
        // saphyr reports 1-based lines and 0-based character columns of the
        // text after the byte-order mark, which is one character of line 1.
        let col = if bom > 0 && line == 1 { col + 1 } else { col };
        if self.ascii {
            return (self.file.offset_of(line, 0) + col).min(self.file.text.len());
        }
        self.file.offset_of(line, col)
    }

    fn span(&self, s: &PSpan, bom: usize) -> Span {
        let start = self.offset(s.start.line(), s.start.col(), bom);
        let end = self.offset(s.end.line(), s.end.col(), bom);
        Span::new(self.file_id, start, end)
    }

    /// Counts `n` more nodes holding `bytes` of text against the limits.
    fn count(&mut self, n: usize, bytes: usize, span: Span) -> Result<(), ParseError> {
        self.nodes += n;
        self.bytes += bytes;
        if self.nodes > MAX_NODES {
            return Err(ParseError {
                kind: ParseErrorKind::TooManyNodes,
                span,
                message: format!(
                    "YAML document expands to more than {MAX_NODES} nodes (aliases included)"
                ),
            });
        }
        if self.bytes > MAX_TEXT_BYTES {
            return Err(ParseError {
                kind: ParseErrorKind::TooMuchText,
                span,
                message: format!(
                    "YAML document expands to more than {} MiB of text (aliases included)",
                    MAX_TEXT_BYTES / (1024 * 1024)
                ),
            });
        }
        Ok(())
    }

    /// After an error: the open collections folded into one node, with the
    /// complete nodes they hold.
    fn partial(&mut self) -> Option<Node> {
        let mut child: Option<Node> = None;
        while let Some(frame) = self.stack.pop() {
            let node = match frame {
                Frame::Seq {
                    start, mut items, ..
                } => {
                    items.extend(child.take());
                    Node::new(Value::Seq(items), start)
                }
                Frame::Map {
                    start,
                    mut map,
                    key,
                    ..
                } => {
                    if let (Some((name, key_span)), Some(node)) = (key, child.take()) {
                        map.entry(name).or_insert(Entry { key_span, node });
                    }
                    Node::new(Value::Map(map), start)
                }
            };
            child = Some(node);
        }
        child
    }

    fn open(
        &mut self,
        tag: Option<&Tag>,
        want: &str,
        frame: Frame,
        span: Span,
    ) -> Result<(), ParseError> {
        if let Some(tag) = tag {
            let ok = tag.is_yaml_core_schema() && tag.suffix == want;
            if !ok {
                return Err(unsupported_tag(tag, span));
            }
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError {
                kind: ParseErrorKind::TooDeep,
                span,
                message: format!("YAML nesting is deeper than the limit of {MAX_DEPTH} levels"),
            });
        }
        self.count(1, 0, span)?;
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self, end: Span) -> Result<(), ParseError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (value, start, anchor, last) = match frame {
            Frame::Seq {
                start,
                anchor,
                items,
            } => {
                let last = items.last().map(|n| n.span.end);
                (Value::Seq(items), start, anchor, last)
            }
            Frame::Map {
                start,
                anchor,
                map,
                key,
            } => {
                // A key without a value (`{a}`) is a key with a null value; the
                // parser normally emits the null itself.
                debug_assert!(key.is_none());
                let last = map.values().last().map(|e| e.node.span.end);
                (Value::Map(map), start, anchor, last)
            }
        };
        // Flow collections end at their closing bracket; block collections at
        // their last child (the end event sits on the next token).
        let end = if is_flow(&self.file.text, start) {
            end.end as usize
        } else {
            last.map_or(start.end as usize, |l| l as usize)
        };
        let node = Node::new(value, Span::new(self.file_id, start.start as usize, end));
        self.finish(node, anchor)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), ParseError> {
        let Some((node, size, bytes)) = self.anchors.get(&id).cloned() else {
            return Err(ParseError {
                kind: ParseErrorKind::UnknownAlias,
                span,
                message: "alias refers to an unknown anchor".into(),
            });
        };
        self.count(size, bytes, span)?;
        // The expansion keeps the anchor's spans: errors inside it point at
        // the original text, which is what the user wrote.
        self.attach(node)
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), ParseError> {
        self.count(1, text.len(), span)?;
        let value = match tag {
            Some(tag) if tag.is_yaml_core_schema() => match tag.suffix.as_str() {
                "str" => Value::String(text.into_owned()),
                "null" | "bool" | "int" | "float" => {
                    let v = resolve_plain(&text);
                    let ok = matches!(
                        (tag.suffix.as_str(), &v),
                        ("null", Value::Null)
                            | ("bool", Value::Bool(_))
                            | ("int", Value::Int(_))
                            | ("float", Value::Float(_) | Value::Int(_))
                    );
                    if !ok {
                        return Err(ParseError {
                            kind: ParseErrorKind::Syntax,
                            span,
                            message: format!("this value is not a valid !!{}", tag.suffix),
                        });
                    }
                    match v {
                        Value::Int(i) if tag.suffix == "float" => Value::Float(i as f64),
                        v => v,
                    }
                }
                _ => return Err(unsupported_tag(tag, span)),
            },
            Some(tag) if tag.handle == "!" && tag.suffix.is_empty() => {
                Value::String(text.into_owned())
            }
            Some(tag) => return Err(unsupported_tag(tag, span)),
            None if style == ScalarStyle::Plain => resolve_plain(&text),
            None => Value::String(text.into_owned()),
        };
        let node = Node::new(value, span);
        self.finish(node, anchor)
    }

    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), ParseError> {
        if anchor != 0 {
            let (size, bytes) = measure(&node);
            self.anchors.insert(anchor, (node.clone(), size, bytes));
        }
        self.attach(node)
    }

    fn attach(&mut self, node: Node) -> Result<(), ParseError> {
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { map, key, .. }) => match key.take() {
                None => {
                    let name = match &node.value {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        Value::Bool(b) => b.to_string(),
                        Value::Int(i) => i.to_string(),
                        Value::Float(_) => self.file.slice(node.span).to_string(),
                        Value::Seq(_) | Value::Map(_) => {
                            return Err(ParseError {
                                kind: ParseErrorKind::ComplexKey,
                                span: node.span,
                                message: "a map or list cannot be used as a key".into(),
                            });
                        }
                    };
                    *key = Some((name, node.span));
                }
                Some((name, key_span)) => {
                    if let Some(first) = map.get(&name) {
                        self.errors.push(ParseError {
                            kind: ParseErrorKind::DuplicateKey {
                                first: first.key_span,
                            },
                            span: key_span,
                            message: format!("duplicate key `{name}`"),
                        });
                    } else {
                        map.insert(name, Entry { key_span, node });
                    }
                }
            },
        }
        Ok(())
    }
}

fn is_flow(text: &str, start: Span) -> bool {
    matches!(text.as_bytes().get(start.start as usize), Some(b'[' | b'{'))
}

/// Nodes and text bytes (scalars and keys) of a tree.
fn measure(node: &Node) -> (usize, usize) {
    let (mut n, mut bytes) = (0, 0);
    node.walk(&mut |path, _, node| {
        n += 1;
        if let Some(PathSeg::Key(k)) = path.last() {
            bytes += k.len();
        }
        bytes += match &node.value {
            Value::String(s) => s.len(),
            Value::Seq(_) | Value::Map(_) => 0,
            _ => 8,
        };
    });
    (n, bytes)
}

fn unsupported_tag(tag: &Tag, span: Span) -> ParseError {
    ParseError {
        kind: ParseErrorKind::UnsupportedTag(tag.to_string()),
        span,
        message: format!("unsupported YAML tag `{tag}`"),
    }
}

/// Resolves a plain scalar with the YAML 1.2 core schema.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(v) = resolve_int(s) {
        return v;
    }
    if is_float(s)
        && let Ok(f) = s.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::String(s.to_string())
}

fn resolve_int(s: &str) -> Option<Value> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x") {
        (h, 16)
    } else if let Some(o) = s.strip_prefix("0o") {
        (o, 8)
    } else {
        let body = s.strip_prefix(['-', '+']).unwrap_or(s);
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return Some(match s.parse::<i64>() {
            Ok(i) => Value::Int(i),
            // Too large for 64 bits: keep the magnitude as a float.
            Err(_) => Value::Float(s.parse::<f64>().ok()?),
        });
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(match i64::from_str_radix(digits, radix) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(f64::MAX),
    })
}

fn is_float(s: &str) -> bool {
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let b = s.strip_prefix(['-', '+']).unwrap_or(s).as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Files, Layer};

    fn parse(text: &str) -> (Vec<Node>, Vec<ParseError>, Files) {
        let mut files = Files::new();
        let id = files.add(SourceFile::new("t.yaml", text, Layer::Site));
        let p = parse_stream(id, files.get(id));
        (p.docs, p.errors, files)
    }

    #[test]
    fn core_schema_scalars() {
        assert_eq!(resolve_plain("~"), Value::Null);
        assert_eq!(resolve_plain("42"), Value::Int(42));
        assert_eq!(resolve_plain("0x1f"), Value::Int(31));
        assert_eq!(resolve_plain("2025.1"), Value::Float(2025.1));
        assert_eq!(resolve_plain("yes"), Value::String("yes".into()));
        assert_eq!(resolve_plain("1e3"), Value::Float(1000.0));
        assert_eq!(resolve_plain("1.2.3"), Value::String("1.2.3".into()));
        assert_eq!(resolve_plain("-"), Value::String("-".into()));
        assert_eq!(resolve_plain("."), Value::String(".".into()));
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let (docs, errs, files) = parse("a: 1\nb:\n  c: [x, y]\n");
        assert!(errs.is_empty());
        let b = docs[0].entry("b").unwrap();
        assert_eq!(files.location(b.key_span).to_string(), "t.yaml:2:1");
        let c = b.node.get("c").unwrap();
        assert_eq!(files.location(c.span).to_string(), "t.yaml:3:6");
        assert_eq!(files.get(c.span.file).slice(c.span), "[x, y]");
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let (_, errs, files) = parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(errs.len(), 1);
        assert_eq!(files.location(errs[0].span).line, 3);
        assert!(matches!(errs[0].kind, ParseErrorKind::DuplicateKey { .. }));
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = (b'a' + i) as char;
            let next = (b'a' + i + 1) as char;
            s.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let (_, errs, _) = parse(&s);
        assert_eq!(errs[0].kind, ParseErrorKind::TooManyNodes);
    }

    #[test]
    fn aliased_text_is_bounded_in_bytes() {
        let big = "x".repeat(1024 * 1024);
        let mut s = format!("a: &a {big}\nb: [");
        s.push_str(&vec!["*a"; 40].join(", "));
        s.push_str("]\n");
        let (_, errs, files) = parse(&s);
        assert_eq!(errs[0].kind, ParseErrorKind::TooMuchText);
        // Located at the alias that crossed the limit.
        assert_eq!(files.location(errs[0].span).line, 2);
        let ok = format!("a: &a {}\nb: [*a, *a, *a]\n", "x".repeat(1000));
        assert!(parse(&ok).1.is_empty());
    }

    #[test]
    fn errors_keep_what_was_read() {
        let mut files = Files::new();
        let id = files.add(SourceFile::new(
            "t.yaml",
            "a:\n  password: [x, y\n  b: ]]\n",
            Layer::Site,
        ));
        let p = parse_stream(id, files.get(id));
        assert!(!p.errors.is_empty());
        let partial = p.partial.unwrap();
        assert!(partial.get_path("a.password").is_some(), "{partial:?}");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let flow = "[".repeat(20_000);
        assert_eq!(parse(&flow).1[0].kind, ParseErrorKind::TooDeep);
        let block: String = (0..20_000).map(|_| "- ").collect::<String>() + "x\n";
        assert_eq!(parse(&block).1[0].kind, ParseErrorKind::TooDeep);
    }
}
