//! Upgrade hazards of the data plane, read from image changes in chart
//! values: a RabbitMQ major version change (4.x upgrades only from 3.13 with
//! every stable feature flag enabled) and any MariaDB server version change
//! (data directories upgrade one way; Galera clusters node by node).

use std::collections::BTreeMap;

use super::hazards::{Hazard, HazardKind};
use crate::image::ImageRef;

/// `quay.io/airshipit/mariadb:11.4.8-noble` -> (`mariadb`, `11.4.8-noble`).
fn name_and_tag(image: &str) -> Option<(&str, &str)> {
    let r = ImageRef::parse(image);
    Some((r.name(), r.tag()?))
}

/// A RabbitMQ version from an image tag: `3.13-management` -> [3, 13].
fn version(tag: &str) -> Option<Vec<u32>> {
    let v: Option<Vec<u32>> = tag
        .split('-')
        .next()?
        .split('.')
        .map(|p| p.parse().ok())
        .collect();
    v.filter(|v| !v.is_empty())
}

fn dotted(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

/// Image changes seen in a diff, grouped into one hazard per version jump.
#[derive(Default)]
pub struct DataPlane {
    /// (old version, new version) -> "component images.tags.key"
    rabbitmq: BTreeMap<(Vec<u32>, Vec<u32>), Vec<String>>,
    /// (old image, new image) -> "component images.tags.key"
    mariadb: BTreeMap<(String, String), Vec<String>>,
}

impl DataPlane {
    /// Records the change of `images.tags.<key>` of `component`.
    pub fn observe(&mut self, component: &str, key: &str, old: &str, new: &str) {
        let (Some((name_o, tag_o)), Some((name_n, tag_n))) = (name_and_tag(old), name_and_tag(new))
        else {
            return;
        };
        let at = format!("{component} images.tags.{key}");
        match (name_o, name_n) {
            ("rabbitmq", "rabbitmq") => {
                if let (Some(vo), Some(vn)) = (version(tag_o), version(tag_n))
                    && vo[0] != vn[0]
                {
                    self.rabbitmq.entry((vo, vn)).or_default().push(at);
                }
            }
            ("mariadb", "mariadb") if tag_o != tag_n => {
                self.mariadb
                    .entry((old.to_string(), new.to_string()))
                    .or_default()
                    .push(at);
            }
            _ => {}
        }
    }

    /// The hazards, one per version jump.
    pub fn hazards(self, out: &mut Vec<Hazard>) {
        for ((from, to), mut at) in self.rabbitmq {
            at.sort();
            at.dedup();
            let (f, t) = (dotted(&from), dotted(&to));
            let (message, help) = if to[0] < from[0] {
                (
                    format!("RabbitMQ {f} -> {t} goes back a major version ({})", at.join(", ")),
                    "a RabbitMQ broker cannot be downgraded across major versions (the newer data directory is not readable by the older one): keep the broker version, or wipe the broker's volumes and let every chart's rabbit-init job recreate its user and vhost".to_string(),
                )
            } else if from < vec![3, 13] {
                (
                    format!("RabbitMQ {f} -> {t} cannot be done in one step: RabbitMQ 4.x upgrades only from 3.13 with every stable feature flag enabled ({})", at.join(", ")),
                    "step the broker one minor series at a time up to 3.13 (3.11, 3.12, 3.13), running `rabbitmqctl enable_feature_flag all` after each step, then move to 4.x; or wipe the broker's volumes (OpenStack keeps no durable state in it) and let every chart's rabbit-init job recreate its user and vhost".to_string(),
                )
            } else {
                (
                    format!("RabbitMQ {f} -> {t} is a major upgrade ({})", at.join(", ")),
                    format!(
                        "before the upgrade, enable every stable feature flag on the running {f} cluster (`rabbitmqctl enable_feature_flag all`; 4.x refuses to start on a node where one is off) and make sure no classic mirrored queue policy is left (4.x removed queue mirroring; use quorum queues)"
                    ),
                )
            };
            out.push(Hazard {
                kind: HazardKind::MessageQueueUpgrade,
                component: None,
                object: None,
                message,
                help: Some(help),
            });
        }
        for ((from, to), mut at) in self.mariadb {
            at.sort();
            at.dedup();
            out.push(Hazard {
                kind: HazardKind::DatabaseUpgrade,
                component: None,
                object: None,
                message: format!("MariaDB image {from} -> {to} changes the database server version ({})", at.join(", ")),
                help: Some("take a full backup first (mariadb-backup, or the chart's backup job); MariaDB upgrades data directories one way, one major series at a time: let the Galera cluster roll node by node and run mariadb-upgrade on the new version; going back needs a restore from that backup".into()),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_names() {
        assert_eq!(version("3.13-management"), Some(vec![3, 13]));
        assert_eq!(version("4.3.5"), Some(vec![4, 3, 5]));
        assert_eq!(version("management"), None);
        assert_eq!(
            name_and_tag("registry.example.com:5000/mirror/rabbitmq:3.10.18"),
            Some(("rabbitmq", "3.10.18"))
        );
        assert_eq!(name_and_tag("registry.example.com:5000/mariadb"), None);
    }

    #[test]
    fn jumps() {
        let mut d = DataPlane::default();
        d.observe(
            "keystone",
            "rabbit_init",
            "docker.io/rabbitmq:3.13-management",
            "docker.io/rabbitmq:4.3.5-management",
        );
        d.observe(
            "rabbitmq",
            "rabbitmq",
            "docker.io/rabbitmq:3.13",
            "docker.io/rabbitmq:4.3.5",
        );
        d.observe(
            "rabbitmq",
            "rabbitmq",
            "docker.io/rabbitmq:3.12",
            "docker.io/rabbitmq:3.13",
        );
        d.observe(
            "glance",
            "rabbit_init",
            "quay.io/airshipit/rabbitmq:3.10.18",
            "docker.io/rabbitmq:4.3.5",
        );
        d.observe(
            "mariadb",
            "mariadb",
            "quay.io/airshipit/mariadb:latest-ubuntu_noble",
            "quay.io/airshipit/mariadb:11.4.8-noble",
        );
        let mut out = Vec::new();
        d.hazards(&mut out);
        let messages: Vec<&str> = out.iter().map(|h| h.message.as_str()).collect();
        assert_eq!(out.len(), 3, "{messages:?}");
        assert!(messages[0].starts_with("RabbitMQ 3.10.18 -> 4.3.5 cannot be done in one step"));
        assert!(messages[1].starts_with("RabbitMQ 3.13 -> 4.3.5 is a major upgrade (keystone images.tags.rabbit_init, rabbitmq images.tags.rabbitmq)"));
        assert!(messages[2].starts_with("MariaDB image"));
    }
}
