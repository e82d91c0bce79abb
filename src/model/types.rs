//! Checked string and number types of the site model.
//!
//! Each type's pattern is the same regular expression as the matching
//! `$defs` entry of `schemas/site.schema.json` (a test compares them), so the
//! structs and the schema accept exactly the same values.

use serde::{Deserialize, Serialize};

macro_rules! checked_string {
    ($(#[$doc:meta])* $name:ident, def = $def:literal, pattern = $pat:literal, max = $max:literal, check = $check:expr) => {
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

            /// Whether `s` matches [`Self::PATTERN`] and the length limit
            /// (checked without compiling the pattern; a property test
            /// proves the two agree).
            pub fn is_valid(s: &str) -> bool {
                s.chars().count() <= $max && ($check)(s)
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
    DnsLabel, def = "dnsLabel", pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max = 63, check = dns_label
);
checked_string!(
    /// An RFC 1123 DNS subdomain: the public domain, issuer and store names.
    DnsSubdomain, def = "dnsSubdomain",
    pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", max = 253, check = |s: &str| s.split('.').all(dns_label)
);
checked_string!(
    /// A UUID in 8-4-4-4-12 hex form.
    Uuid, def = "uuid",
    pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", max = 36, check = is_uuid
);
checked_string!(
    /// A Linux network interface name.
    InterfaceName, def = "interfaceName", pattern = "^[A-Za-z0-9][A-Za-z0-9_.:-]*$", max = 15, check = |s: &str| first_rest(s, alnum, |c| alnum(c) || matches!(c, '_' | '.' | ':' | '-'))
);
checked_string!(
    /// A Neutron physical network name.
    PhysnetName, def = "physnetName", pattern = "^[A-Za-z0-9][A-Za-z0-9_-]*$", max = 64, check = |s: &str| first_rest(s, alnum, |c| alnum(c) || matches!(c, '_' | '-'))
);
checked_string!(
    /// A Keystone region name.
    RegionName, def = "regionName", pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]*$", max = 64, check = |s: &str| first_rest(s, alnum, |c| alnum(c) || matches!(c, '_' | '.' | '-'))
);
checked_string!(
    /// A Ceph monitor address: `host`, `host:port`, `[v6addr]:port`.
    MonitorAddress, def = "monitorAddress",
    pattern = "^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?$", max = 255, check = monitor_address
);
checked_string!(
    /// A Ceph pool name.
    PoolName, def = "poolName", pattern = "^[A-Za-z0-9_][A-Za-z0-9_.-]*$", max = 64, check = |s: &str| first_rest(s, |c| alnum(c) || c == '_', |c| alnum(c) || matches!(c, '_' | '.' | '-'))
);
checked_string!(
    /// A Kubernetes label key (optional DNS prefix and `/`).
    LabelKey, def = "labelKey",
    pattern = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
    max = 317, check = label_key
);
checked_string!(
    /// A Kubernetes label value (may be empty).
    LabelValue, def = "labelValue", pattern = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", max = 63, check = |s: &str| s.is_empty() || label_name(s, 63)
);
checked_string!(
    /// The remote-key prefix of secrets in the store.
    SecretPrefix, def = "secretPrefix", pattern = "^[A-Za-z0-9][A-Za-z0-9/_.-]*$", max = 128, check = |s: &str| first_rest(s, alnum, |c| alnum(c) || matches!(c, '/' | '_' | '.' | '-'))
);
checked_string!(
    /// A name in the library (release, profile, component).
    LibraryName, def = "libraryName", pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]*$", max = 63, check = |s: &str| first_rest(s, alnum, |c| alnum(c) || matches!(c, '_' | '.' | '-'))
);

checked_string!(
    /// A registry mirror prefix: `host[:port][/path]`.
    RegistryPrefix, def = "registryPrefix",
    pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*$",
    max = 255, check = registry_prefix
);
checked_string!(
    /// A key in the secret store, below the site prefix.
    StoreKey, def = "storeKey", pattern = "^[A-Za-z0-9][A-Za-z0-9/_.-]*$", max = 128, check = |s: &str| first_rest(s, alnum, |c| alnum(c) || matches!(c, '/' | '_' | '.' | '-'))
);
checked_string!(
    /// A Kubernetes version: `1.<minor>` or `1.<minor>.<patch>`.
    KubeVersion, def = "kubeVersion", pattern = "^1\\.[0-9]{1,3}(\\.[0-9]{1,3})?$", max = 11, check = kube_version
);
checked_string!(
    /// An OpenStack resource name or ID (project, network, share type).
    OpenStackName, def = "openstackName", pattern = "^[A-Za-z0-9][A-Za-z0-9_.:@-]*$", max = 255, check = |s: &str| first_rest(s, alnum, |c| alnum(c) || matches!(c, '_' | '.' | ':' | '@' | '-'))
);

impl KubeVersion {
    /// The minor version: `36` of `1.36.2`.
    pub fn minor(&self) -> u32 {
        self.0
            .split('.')
            .nth(1)
            .and_then(|m| m.parse().ok())
            .expect("checked by the pattern")
    }
}

/// `1.<1-3 digits>` with an optional `.<1-3 digits>`.
fn kube_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    let num = |p: &str| (1..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit());
    (parts.len() == 2 || parts.len() == 3) && parts[0] == "1" && parts[1..].iter().all(|p| num(p))
}

checked_string!(
    /// A container image reference with a registry, a repository path and a
    /// tag or digest: `registry.example.com/openstack/gnocchi:4.6.5`.
    ImageRef, def = "imageRef",
    pattern = "^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[0-9a-f]{64})?|@sha256:[0-9a-f]{64})$",
    max = 512, check = image_ref
);

fn alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// A first character and the rest, each from a class.
fn first_rest(s: &str, first: impl Fn(char) -> bool, rest: impl Fn(char) -> bool) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(first) && chars.all(rest)
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
fn dns_label(s: &str) -> bool {
    s.chars().all(|c| lower_alnum(c) || c == '-')
        && s.chars().next().is_some_and(lower_alnum)
        && s.chars().last().is_some_and(lower_alnum)
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]{0,max-2}[A-Za-z0-9])?`
fn label_name(s: &str, max: usize) -> bool {
    s.chars().count() <= max
        && s.chars().all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
        && s.chars().next().is_some_and(alnum)
        && s.chars().last().is_some_and(alnum)
}

/// `(<dns subdomain>/)?<label name>`
fn label_key(s: &str) -> bool {
    match s.split_once('/') {
        Some((prefix, name)) => prefix.split('.').all(dns_label) && label_name(name, 63),
        None => label_name(s, 63),
    }
}

/// 8-4-4-4-12 hex digits.
pub fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `host`, `host:port` or `[v6]:port`.
fn monitor_address(s: &str) -> bool {
    let (host_ok, port) = if let Some(rest) = s.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inner, after)) => (
                !inner.is_empty()
                    && inner
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.'),
                after,
            ),
            None => return false,
        }
    } else {
        let (host, port) = match s.find(':') {
            Some(i) => (&s[..i], &s[i..]),
            None => (s, ""),
        };
        let ok = host.chars().all(|c| alnum(c) || c == '.' || c == '-')
            && host.chars().next().is_some_and(alnum)
            && host.chars().last().is_some_and(alnum);
        (ok, port)
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| (1..=5).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()));
    host_ok && port_ok
}

/// `host[:port]` (DNS labels) then `/`-separated repository path
/// components `[a-z0-9]+([._-][a-z0-9]+)*`.
fn registry_prefix(s: &str) -> bool {
    let (host_port, path) = match s.split_once('/') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    let (host, port) = match host_port.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (host_port, None),
    };
    host.split('.').all(dns_label)
        && port.is_none_or(|p| (1..=5).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
        && path.is_none_or(|p| p.split('/').all(path_component))
}

/// A repository path component: `[a-z0-9]+([._-][a-z0-9]+)*`.
fn path_component(c: &str) -> bool {
    c.split(['.', '_', '-'])
        .all(|p| !p.is_empty() && p.chars().all(lower_alnum))
}

/// `registry[:port]/path/name` with `:tag`, `@sha256:<digest>` or both.
fn image_ref(s: &str) -> bool {
    let (body, digest) = match s.split_once('@') {
        Some((b, d)) => (b, Some(d)),
        None => (s, None),
    };
    let digest_ok = digest.is_none_or(|d| {
        d.strip_prefix("sha256:").is_some_and(|h| {
            h.len() == 64
                && h.chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        })
    });
    let Some((domain, path)) = body.split_once('/') else {
        return false;
    };
    let (host, port) = match domain.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (domain, None),
    };
    let host_ok = host.chars().all(|c| alnum(c) || c == '.' || c == '-')
        && host.chars().next().is_some_and(alnum)
        && host.chars().last().is_some_and(alnum);
    let port_ok =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()));
    let (repo, tag) = match path.split_once(':') {
        Some((r, t)) => (r, Some(t)),
        None => (path, None),
    };
    let tag_ok = tag.is_none_or(|t| {
        t.chars().count() <= 128
            && first_rest(
                t,
                |c| alnum(c) || c == '_',
                |c| alnum(c) || matches!(c, '_' | '.' | '-'),
            )
    });
    digest_ok
        && host_ok
        && port_ok
        && repo.split('/').all(path_component)
        && tag_ok
        && (tag.is_some() || digest.is_some())
}

/// An integer newtype in a range. JSON Schema counts `3.0` as an integer;
/// so does the check.
macro_rules! checked_count {
    ($(#[$doc:meta])* $name:ident, field = $field:literal, max = $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
        #[serde(try_from = "serde_json::Number", into = "u32")]
        pub struct $name(u32);

        impl $name {
            pub const MAX: u32 = $max;

            pub fn get(self) -> u32 {
                self.0
            }
        }

        impl TryFrom<serde_json::Number> for $name {
            type Error = String;
            fn try_from(n: serde_json::Number) -> Result<Self, String> {
                let v = n.as_f64().unwrap_or(f64::NAN);
                if v.fract() == 0.0 && (1.0..=Self::MAX as f64).contains(&v) {
                    Ok($name(v as u32))
                } else {
                    Err(format!("{} must be an integer from 1 to {}", $field, Self::MAX))
                }
            }
        }

        impl From<$name> for u32 {
            fn from(v: $name) -> u32 {
                v.0
            }
        }
    };
}

checked_count!(
    /// A replica count: an integer from 1 to [`Replicas::MAX`].
    Replicas, field = "replicas", max = 1000
);
checked_count!(
    /// The monitor count of a Rook cluster (`spec.mon.count`): an integer
    /// from 1 to 9, Rook's own limits.
    MonCount, field = "monCount", max = 9
);

/// A checked string type: schema `$defs` name, pattern, maximum length and
/// its check.
pub type CheckedString = (&'static str, &'static str, usize, fn(&str) -> bool);

/// Every checked string type.
pub const CHECKED_STRINGS: &[CheckedString] = &[
    (
        ImageRef::SCHEMA_DEF,
        ImageRef::PATTERN,
        ImageRef::MAX_LEN,
        ImageRef::is_valid,
    ),
    (
        DnsLabel::SCHEMA_DEF,
        DnsLabel::PATTERN,
        DnsLabel::MAX_LEN,
        DnsLabel::is_valid,
    ),
    (
        DnsSubdomain::SCHEMA_DEF,
        DnsSubdomain::PATTERN,
        DnsSubdomain::MAX_LEN,
        DnsSubdomain::is_valid,
    ),
    (
        Uuid::SCHEMA_DEF,
        Uuid::PATTERN,
        Uuid::MAX_LEN,
        Uuid::is_valid,
    ),
    (
        InterfaceName::SCHEMA_DEF,
        InterfaceName::PATTERN,
        InterfaceName::MAX_LEN,
        InterfaceName::is_valid,
    ),
    (
        PhysnetName::SCHEMA_DEF,
        PhysnetName::PATTERN,
        PhysnetName::MAX_LEN,
        PhysnetName::is_valid,
    ),
    (
        RegionName::SCHEMA_DEF,
        RegionName::PATTERN,
        RegionName::MAX_LEN,
        RegionName::is_valid,
    ),
    (
        MonitorAddress::SCHEMA_DEF,
        MonitorAddress::PATTERN,
        MonitorAddress::MAX_LEN,
        MonitorAddress::is_valid,
    ),
    (
        PoolName::SCHEMA_DEF,
        PoolName::PATTERN,
        PoolName::MAX_LEN,
        PoolName::is_valid,
    ),
    (
        LabelKey::SCHEMA_DEF,
        LabelKey::PATTERN,
        LabelKey::MAX_LEN,
        LabelKey::is_valid,
    ),
    (
        LabelValue::SCHEMA_DEF,
        LabelValue::PATTERN,
        LabelValue::MAX_LEN,
        LabelValue::is_valid,
    ),
    (
        SecretPrefix::SCHEMA_DEF,
        SecretPrefix::PATTERN,
        SecretPrefix::MAX_LEN,
        SecretPrefix::is_valid,
    ),
    (
        StoreKey::SCHEMA_DEF,
        StoreKey::PATTERN,
        StoreKey::MAX_LEN,
        StoreKey::is_valid,
    ),
    (
        KubeVersion::SCHEMA_DEF,
        KubeVersion::PATTERN,
        KubeVersion::MAX_LEN,
        KubeVersion::is_valid,
    ),
    (
        OpenStackName::SCHEMA_DEF,
        OpenStackName::PATTERN,
        OpenStackName::MAX_LEN,
        OpenStackName::is_valid,
    ),
    (
        LibraryName::SCHEMA_DEF,
        LibraryName::PATTERN,
        LibraryName::MAX_LEN,
        LibraryName::is_valid,
    ),
    (
        RegistryPrefix::SCHEMA_DEF,
        RegistryPrefix::PATTERN,
        RegistryPrefix::MAX_LEN,
        RegistryPrefix::is_valid,
    ),
];
