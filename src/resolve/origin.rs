//! Provenance of site-derived values: which line of the site file a value
//! came from.

use crate::source::Span;
use crate::yaml::Node;

/// Span lookups in the site document.
pub struct SiteSpans<'a> {
    pub doc: &'a Node,
    /// Fallback: the start of the site document.
    pub root: Span,
}

impl<'a> SiteSpans<'a> {
    pub fn new(doc: &'a Node) -> SiteSpans<'a> {
        SiteSpans {
            doc,
            root: doc.span.with_len(0),
        }
    }

    /// The value span at a dotted path, when the site wrote it.
    pub fn value(&self, dotted: &str) -> Option<Span> {
        self.doc.get_path(dotted).map(|n| n.span)
    }

    /// The key span at a dotted path, when the site wrote it.
    pub fn key(&self, dotted: &str) -> Option<Span> {
        let (parent, last) = match dotted.rsplit_once('.') {
            Some((p, l)) => (self.doc.get_path(p)?, l),
            None => (self.doc, dotted),
        };
        parent.entry(last).map(|e| e.key_span)
    }

    /// Attributes an expression to the site field it reads: the value span
    /// of the most specific `site.<path>` (or `component.replicas`) the site
    /// file actually sets.
    pub fn attribute(&self, expr: &str, component: &str) -> Option<Span> {
        let mut best: Option<(usize, Span)> = None;
        for names in crate::template::dotted_names(expr) {
            let (root, rest) = (names[0].as_str(), &names[1..]);
            let Some(first) = rest.first() else { continue };
            let dotted = match (root, first.as_str()) {
                ("site", "name") => "metadata.name".to_string(),
                ("site", "labels") => format!("metadata.{}", rest.join(".")),
                ("site", _) => format!("spec.{}", rest.join(".")),
                ("component", "replicas") => format!("spec.services.{component}.replicas"),
                _ => continue,
            };
            // Only a field the site writes counts; a default is the
            // library's doing.
            let depth = dotted.split('.').count();
            if let Some(span) = self.value(&dotted)
                && best.is_none_or(|(len, _)| depth > len)
            {
                best = Some((depth, span));
            }
        }
        best.map(|(_, s)| s)
    }
}
