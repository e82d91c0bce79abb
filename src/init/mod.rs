//! `stackc init`: the text of a new site file, commented, for one of the
//! common shapes. The text comes from one template (`site.yaml.j2`); the
//! command validates and resolves it before writing it.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::DnsLabel;
use crate::template::Engine;

const TEMPLATE: &str = include_str!("site.yaml.j2");

/// The shape of a new site, chosen by its profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// One node: one replica of everything, local storage, qemu.
    Lab,
    /// Production: the `ha` profile, Ceph storage, TLS, provider networks.
    Ha,
}

impl Shape {
    /// `ha` gives the HA shape; every other profile the lab shape.
    pub fn for_profile(profile: &str) -> Shape {
        if profile == "ha" {
            Shape::Ha
        } else {
            Shape::Lab
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Shape::Lab => "an all-in-one lab",
            Shape::Ha => "a highly available site with Ceph and TLS",
        }
    }

    /// The services a site of this shape starts with.
    pub fn services(self) -> &'static [&'static str] {
        match self {
            Shape::Lab => &[
                "keystone",
                "glance",
                "placement",
                "nova",
                "neutron",
                "horizon",
            ],
            Shape::Ha => &[
                "keystone",
                "glance",
                "placement",
                "nova",
                "neutron",
                "cinder",
                "horizon",
                "heat",
            ],
        }
    }
}

/// What a new site is made of.
#[derive(Debug, Clone, Serialize)]
pub struct NewSite {
    pub name: DnsLabel,
    pub release: String,
    pub profile: String,
    pub shape: Shape,
    /// The shape's services, then the extra ones, each once.
    pub services: Vec<String>,
    /// The `$schema` of the yaml-language-server modeline.
    pub schema: String,
}

impl NewSite {
    /// A site of the shape `profile` calls for, with `extra` services.
    pub fn new(name: DnsLabel, release: &str, profile: &str, extra: &[String]) -> NewSite {
        let shape = Shape::for_profile(profile);
        let mut services: Vec<String> = shape.services().iter().map(|s| s.to_string()).collect();
        for s in extra {
            if !services.contains(s) {
                services.push(s.clone());
            }
        }
        NewSite {
            name,
            release: release.to_string(),
            profile: profile.to_string(),
            shape,
            services,
            schema: schema_id(),
        }
    }

    /// The file's text.
    pub fn text(&self) -> String {
        /// The site, and its names as YAML scalars (quoted where YAML
        /// would read them as something else, like the release `"2025.1"`).
        #[derive(Serialize)]
        struct Context<'a> {
            #[serde(flatten)]
            site: &'a NewSite,
            release_yaml: String,
            profile_yaml: String,
            services_yaml: Vec<String>,
            rbd_secret_uuid: String,
        }
        let scalar = |s: &str| crate::yaml::to_string(&s.into()).trim_end().to_string();
        let ctx = Context {
            site: self,
            release_yaml: scalar(&self.release),
            profile_yaml: scalar(&self.profile),
            services_yaml: self.services.iter().map(|s| scalar(s)).collect(),
            rbd_secret_uuid: name_uuid(&self.name),
        };
        let mut text = Engine::new()
            .render(
                TEMPLATE,
                &minijinja::Value::from(minijinja::value::Serde(&ctx)),
            )
            .expect("the init template renders with every context it is given");
        text.push('\n');
        text
    }
}

/// The site schema's `$id`: where editors find it.
pub fn schema_id() -> String {
    crate::validate::schema::schema()["$id"]
        .as_str()
        .expect("the schema has an $id")
        .to_string()
}

/// A UUID derived from the site name (RFC 9562 version 8: SHA-256 of the
/// name), so the same `init` gives the same file.
fn name_uuid(name: &str) -> String {
    let mut b: [u8; 16] = Sha256::digest(format!("stackc.dev/init/rbdSecretUUID/{name}"))[..16]
        .try_into()
        .expect("16 bytes");
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_uuids_are_version_8_and_differ_by_name() {
        let a = name_uuid("lab");
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8", "version 8: {a}");
        assert!(
            matches!(&a[19..20], "8" | "9" | "a" | "b"),
            "RFC variant: {a}"
        );
        assert_ne!(a, name_uuid("prod"));
        assert_eq!(a, name_uuid("lab"));
    }

    #[test]
    fn extra_services_come_after_the_shape_s_once() {
        let name = DnsLabel::try_from("x".to_string()).unwrap();
        let s = NewSite::new(name, "2025.1", "minimal", &["heat".into(), "nova".into()]);
        assert_eq!(s.services.last().unwrap(), "heat");
        assert_eq!(s.services.iter().filter(|s| *s == "nova").count(), 1);
    }
}
