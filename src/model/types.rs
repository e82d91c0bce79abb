//! Checked string and number types of the site model.
//!
//! Each type's pattern is the same regular expression as the matching
//! `$defs` entry of `schemas/site.schema.json` (a test compares them), so the
//! structs and the schema accept exactly the same values.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

macro_rules! checked_string {
    ($(#[$doc:meta])* $name:ident, def = $def:literal, pattern = $pat:literal, max = $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The `$defs` name in the site schema.
            pub const SCHEMA_DEF: &'static str = $def;
            /// The pattern, identical to the schema's.
            pub const PATTERN: &'static str = $pat;
            /// The maximum length in characters.
            pub const MAX_LEN: usize = $max;

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn is_valid(s: &str) -> bool {
                static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new($pat).expect("valid pattern"));
                s.chars().count() <= $max && RE.is_match(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                if Self::is_valid(&s) {
                    Ok($name(s))
                } else {
                    Err(format!("`{}` is not a valid {}", s, $def))
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

checked_string!(
    /// An RFC 1123 DNS label: site names, namespaces.
    DnsLabel, def = "dnsLabel", pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max = 63
);
checked_string!(
    /// An RFC 1123 DNS subdomain: the public domain, issuer and store names.
    DnsSubdomain, def = "dnsSubdomain",
    pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", max = 253
);
checked_string!(
    /// A UUID in 8-4-4-4-12 hex form.
    Uuid, def = "uuid",
    pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", max = 36
);
checked_string!(
    /// A Linux network interface name.
    InterfaceName, def = "interfaceName", pattern = "^[A-Za-z0-9][A-Za-z0-9_.:-]*$", max = 15
);
checked_string!(
    /// A Neutron physical network name.
    PhysnetName, def = "physnetName", pattern = "^[A-Za-z0-9][A-Za-z0-9_-]*$", max = 64
);
checked_string!(
    /// A Keystone region name.
    RegionName, def = "regionName", pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]*$", max = 64
);
checked_string!(
    /// A Ceph monitor address: `host`, `host:port`, `[v6addr]:port`.
    MonitorAddress, def = "monitorAddress",
    pattern = "^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?$", max = 255
);
checked_string!(
    /// A Ceph pool name.
    PoolName, def = "poolName", pattern = "^[A-Za-z0-9_][A-Za-z0-9_.-]*$", max = 64
);
checked_string!(
    /// A Kubernetes label key (optional DNS prefix and `/`).
    LabelKey, def = "labelKey",
    pattern = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
    max = 317
);
checked_string!(
    /// A Kubernetes label value (may be empty).
    LabelValue, def = "labelValue", pattern = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", max = 63
);
checked_string!(
    /// The remote-key prefix of secrets in the store.
    SecretPrefix, def = "secretPrefix", pattern = "^[A-Za-z0-9][A-Za-z0-9/_.-]*$", max = 128
);
checked_string!(
    /// A name in the library (release, profile, component).
    LibraryName, def = "libraryName", pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]*$", max = 63
);

/// A replica count: an integer from 1 to [`Replicas::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(try_from = "serde_json::Number", into = "u32")]
pub struct Replicas(u32);

impl Replicas {
    pub const MAX: u32 = 1000;

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<serde_json::Number> for Replicas {
    type Error = String;
    fn try_from(n: serde_json::Number) -> Result<Self, String> {
        // JSON Schema counts 3.0 as an integer; so do we.
        let v = n.as_f64().unwrap_or(f64::NAN);
        if v.fract() == 0.0 && (1.0..=Replicas::MAX as f64).contains(&v) {
            Ok(Replicas(v as u32))
        } else {
            Err(format!(
                "replicas must be an integer from 1 to {}",
                Replicas::MAX
            ))
        }
    }
}

impl From<Replicas> for u32 {
    fn from(r: Replicas) -> u32 {
        r.0
    }
}

/// Every checked string type: `(schema $defs name, pattern, max length)`.
pub const CHECKED_STRINGS: &[(&str, &str, usize)] = &[
    (DnsLabel::SCHEMA_DEF, DnsLabel::PATTERN, DnsLabel::MAX_LEN),
    (
        DnsSubdomain::SCHEMA_DEF,
        DnsSubdomain::PATTERN,
        DnsSubdomain::MAX_LEN,
    ),
    (Uuid::SCHEMA_DEF, Uuid::PATTERN, Uuid::MAX_LEN),
    (
        InterfaceName::SCHEMA_DEF,
        InterfaceName::PATTERN,
        InterfaceName::MAX_LEN,
    ),
    (
        PhysnetName::SCHEMA_DEF,
        PhysnetName::PATTERN,
        PhysnetName::MAX_LEN,
    ),
    (
        RegionName::SCHEMA_DEF,
        RegionName::PATTERN,
        RegionName::MAX_LEN,
    ),
    (
        MonitorAddress::SCHEMA_DEF,
        MonitorAddress::PATTERN,
        MonitorAddress::MAX_LEN,
    ),
    (PoolName::SCHEMA_DEF, PoolName::PATTERN, PoolName::MAX_LEN),
    (LabelKey::SCHEMA_DEF, LabelKey::PATTERN, LabelKey::MAX_LEN),
    (
        LabelValue::SCHEMA_DEF,
        LabelValue::PATTERN,
        LabelValue::MAX_LEN,
    ),
    (
        SecretPrefix::SCHEMA_DEF,
        SecretPrefix::PATTERN,
        SecretPrefix::MAX_LEN,
    ),
    (
        LibraryName::SCHEMA_DEF,
        LibraryName::PATTERN,
        LibraryName::MAX_LEN,
    ),
];
