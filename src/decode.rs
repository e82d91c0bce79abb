//! Typed decoding of a spanned YAML tree, with the failing path located.
//!
//! [`NodeDeserializer`] drives serde directly from a [`Node`]. Unlike a
//! generic self-describing format it is strict: a struct must be written as
//! a map (never a list), so the typed model and the JSON Schema accept the
//! same documents.

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::yaml::{Node, PathSeg, Value};

/// Decodes `node` into `T`; on failure, the diagnostic points at the key or
/// value where decoding stopped.
pub fn decode<T: DeserializeOwned>(node: &Node, what: &str) -> Result<T, Diagnostic> {
    serde_path_to_error::deserialize::<_, T>(NodeDeserializer(node)).map_err(|e| {
        let path: Vec<PathSeg> = e
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Map { key } => Some(PathSeg::Key(key.clone())),
                serde_path_to_error::Segment::Seq { index } => Some(PathSeg::Index(*index)),
                _ => None,
            })
            .collect();
        let inner = e.into_inner().to_string();
        if inner.starts_with("unknown field") {
            // serde names the field and the expected ones in backticks.
            let names: Vec<&str> = inner.split('`').skip(1).step_by(2).collect();
            let help = match names.split_first() {
                Some((typo, expected)) => match did_you_mean(typo, expected.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("see the {what} format in the documentation"),
                },
                None => format!("see the {what} format in the documentation"),
            };
            return Diagnostic::error(
                Code::UnknownKey,
                node.key_span_at(&path),
                format!("invalid {what}: {inner}"),
            )
            .label("unknown key")
            .help(help);
        }
        let span = node.value_span_at(&path);
        let code = if inner.starts_with("missing field") {
            Code::MissingKey
        } else {
            Code::InvalidValue
        };
        Diagnostic::error(code, span, format!("invalid {what}: {inner}"))
            .label("here")
            .help(format!("see the {what} format in the documentation"))
    })
}

/// Decodes without locating errors (tests, in-memory documents).
pub fn from_node<T: DeserializeOwned>(node: &Node) -> Result<T, DecodeError> {
    T::deserialize(NodeDeserializer(node))
}

#[derive(Debug)]
pub struct DecodeError(String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        DecodeError(msg.to_string())
    }
}

/// A serde deserializer over a borrowed [`Node`].
pub struct NodeDeserializer<'a>(pub &'a Node);

impl NodeDeserializer<'_> {
    fn unexpected(&self) -> de::Unexpected<'_> {
        match &self.0.value {
            Value::Null => de::Unexpected::Unit,
            Value::Bool(b) => de::Unexpected::Bool(*b),
            Value::Int(i) => de::Unexpected::Signed(*i),
            Value::Float(f) => de::Unexpected::Float(*f),
            Value::String(s) => de::Unexpected::Str(s),
            Value::Seq(_) => de::Unexpected::Seq,
            Value::Map(_) => de::Unexpected::Map,
        }
    }
}

impl<'de, 'a> de::Deserializer<'de> for NodeDeserializer<'a> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match &self.0.value {
            Value::Null => v.visit_unit(),
            Value::Bool(b) => v.visit_bool(*b),
            Value::Int(i) => v.visit_i64(*i),
            Value::Float(f) => v.visit_f64(*f),
            Value::String(s) => v.visit_str(s),
            Value::Seq(items) => v.visit_seq(SeqAccess(items.iter())),
            Value::Map(m) => v.visit_map(MapAccess {
                iter: m.iter(),
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self.0.value {
            Value::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DecodeError> {
        match &self.0.value {
            Value::Map(_) => self.deserialize_any(v),
            _ => Err(de::Error::invalid_type(self.unexpected(), &v)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DecodeError> {
        match &self.0.value {
            Value::String(s) => v.visit_enum(s.as_str().into_deserializer()),
            _ => Err(de::Error::invalid_type(self.unexpected(), &v)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        v.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

struct SeqAccess<'a>(std::slice::Iter<'a, Node>);

impl<'de> de::SeqAccess<'de> for SeqAccess<'_> {
    type Error = DecodeError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        self.0
            .next()
            .map(|n| seed.deserialize(NodeDeserializer(n)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct MapAccess<'a> {
    iter: indexmap::map::Iter<'a, String, crate::yaml::Entry>,
    value: Option<&'a Node>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'_> {
    type Error = DecodeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        match self.iter.next() {
            Some((k, e)) => {
                self.value = Some(&e.node);
                seed.deserialize(k.as_str().into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let node = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("value without a key"))?;
        seed.deserialize(NodeDeserializer(node))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}
