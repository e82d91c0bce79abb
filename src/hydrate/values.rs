//! The values a chart is hydrated with: what the target hands the chart,
//! with a secret token wherever the store supplies a value, and a fixed
//! value wherever the chart would otherwise generate a random one.

use serde_json::Value as J;

use crate::render::{self, Target};
use crate::resolve::{Resolved, ResolvedComponent};
use crate::secret;
use crate::yaml::set_dotted;

/// Values openstack-helm charts fill with a random value when they are
/// empty (`randAlphaNum`, `uuidv4` in the chart's templates), and what
/// hydration supplies: `(chart or any, value path, kind)`. A path the site
/// already sets (a store secret, for example) is left alone.
const RANDOMISED: &[(Option<&str>, &str, Pin)] = &[
    // `default (randAlphaNum 64) .Values.endpoints.oslo_cache.auth.memcache_secret_key`
    // in the configmap-etc template of every chart that uses memcached.
    (
        None,
        "endpoints.oslo_cache.auth.memcache_secret_key",
        Pin::Random,
    ),
    // `uuidv4` in gnocchi's configmap-etc.
    (
        Some("gnocchi"),
        "conf.gnocchi.statsd.resource_id",
        Pin::Uuid,
    ),
    (Some("gnocchi"), "conf.gnocchi.statsd.user_id", Pin::Uuid),
    (Some("gnocchi"), "conf.gnocchi.statsd.project_id", Pin::Uuid),
];

#[derive(Debug, Clone, Copy)]
enum Pin {
    /// `stackc-random.<path>`: stands for the random string the chart
    /// would generate at install time.
    Random,
    /// A UUID derived from the site, component and path.
    Uuid,
}

/// The values of `c` for `helm template`.
pub fn chart_values(resolved: &Resolved, c: &ResolvedComponent, target: Target) -> J {
    let mut values = render::chart_values(c, target);
    for s in &c.secrets {
        let key = render::remote_key(&resolved.site, &s.key);
        set_dotted(&mut values, &s.path, J::String(secret::token(&key)));
    }
    for (chart, path, pin) in RANDOMISED {
        if chart.is_some_and(|ch| ch != c.chart) || get(&values, path).is_some() {
            continue;
        }
        // Only a chart that talks to memcached renders the cache key.
        let parent_present = match chart {
            None => get(&values, "endpoints.oslo_cache").is_some(),
            Some(_) => true,
        };
        if !parent_present {
            continue;
        }
        let v = match pin {
            Pin::Random => format!("stackc-random.{path}"),
            Pin::Uuid => uuid(&format!(
                "{}/{}/{path}",
                resolved.site.metadata.name, c.name
            )),
        };
        set_dotted(&mut values, path, J::String(v));
    }
    values
}

fn get<'a>(root: &'a J, dotted: &str) -> Option<&'a J> {
    dotted
        .split('.')
        .try_fold(root, |node, k| node.get(k))
        .filter(|v| !v.is_null())
}

/// A deterministic UUID (version 4 layout) from a name.
pub(super) fn uuid(name: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(name.as_bytes());
    let mut b: [u8; 16] = h[..16].try_into().expect("16 bytes");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = super::charts::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_well_formed() {
        let u = uuid("site/gnocchi/x");
        assert_eq!(u, uuid("site/gnocchi/x"));
        assert_ne!(u, uuid("site/gnocchi/y"));
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn set_and_get_paths() {
        let mut v = serde_json::json!({"a": {"b": 1}});
        set_dotted(&mut v, "a.c.d", serde_json::json!("x"));
        assert_eq!(get(&v, "a.c.d"), Some(&serde_json::json!("x")));
        assert_eq!(get(&v, "a.b"), Some(&serde_json::json!(1)));
        assert_eq!(get(&v, "a.z"), None);
    }
}
