//! Container image references (`registry/path:tag@digest`) and their move to
//! a registry mirror (`spec.images.registry`).

/// An image reference, split. `docker.io` is the registry of references
/// without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// `quay.io`, `docker.io`, `registry.example.com:5000`.
    pub registry: &'a str,
    /// The repository path below the registry: `airshipit/nova`, `rabbitmq`.
    pub path: &'a str,
    /// `:tag`, `@sha256:...`, `:tag@sha256:...` or empty.
    pub reference: &'a str,
}

impl<'a> ImageRef<'a> {
    pub fn parse(image: &'a str) -> ImageRef<'a> {
        let (registry, rest) = match image.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first, rest)
            }
            _ => ("docker.io", image),
        };
        // The reference starts at the digest, or at the tag's `:` after the
        // last `/`.
        let name_end = rest.find('@').unwrap_or(rest.len());
        let last_slash = rest[..name_end].rfind('/').map_or(0, |i| i + 1);
        let tag_at = rest[last_slash..name_end].find(':').map(|i| last_slash + i);
        let split = tag_at.unwrap_or(name_end);
        ImageRef {
            registry,
            path: &rest[..split],
            reference: &rest[split..],
        }
    }

    /// The last path segment: `nova`, `rabbitmq`.
    pub fn name(&self) -> &'a str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }

    /// The tag, if any: `2025.1-ubuntu_noble`.
    pub fn tag(&self) -> Option<&'a str> {
        let r = self.reference.split('@').next().unwrap_or_default();
        r.strip_prefix(':')
    }

    /// The path under a mirror: openstack-helm's own images
    /// (`quay.io/airshipit/<name>`) and Docker Hub images (`docker.io/<path>`,
    /// official ones without `library/`) keep their path below the
    /// organisation or registry; others keep their whole path.
    fn mirror_path(&self) -> &'a str {
        match self.registry {
            "quay.io" => self.path.strip_prefix("airshipit/").unwrap_or(self.path),
            "docker.io" | "index.docker.io" | "registry-1.docker.io" => {
                self.path.strip_prefix("library/").unwrap_or(self.path)
            }
            _ => self.path,
        }
    }
}

/// `image` as pulled from the registry mirror `mirror`
/// (`registry.example.com/mirror`): `quay.io/airshipit/nova:T` becomes
/// `registry.example.com/mirror/nova:T`, `docker.io/rabbitmq:T`
/// `registry.example.com/mirror/rabbitmq:T`, `ghcr.io/vexxhost/netoffload:T`
/// `registry.example.com/mirror/vexxhost/netoffload:T`. An image already in
/// the mirror stays as it is.
pub fn mirrored(image: &str, mirror: &str) -> String {
    if image
        .strip_prefix(mirror)
        .is_some_and(|rest| rest.starts_with('/'))
    {
        return image.to_string();
    }
    let r = ImageRef::parse(image);
    format!("{mirror}/{}{}", r.mirror_path(), r.reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        let r = ImageRef::parse("quay.io/airshipit/nova:2025.1-ubuntu_noble");
        assert_eq!(
            (r.registry, r.path, r.reference, r.name(), r.tag()),
            (
                "quay.io",
                "airshipit/nova",
                ":2025.1-ubuntu_noble",
                "nova",
                Some("2025.1-ubuntu_noble")
            )
        );
        let r = ImageRef::parse("rabbitmq");
        assert_eq!(
            (r.registry, r.path, r.tag()),
            ("docker.io", "rabbitmq", None)
        );
        let r = ImageRef::parse("localhost:5000/a/b:1@sha256:abc");
        assert_eq!(
            (r.registry, r.path, r.reference),
            ("localhost:5000", "a/b", ":1@sha256:abc")
        );
        assert_eq!(r.tag(), Some("1"));
        let r = ImageRef::parse("registry:5000/a/b");
        assert_eq!(
            (r.registry, r.path, r.reference),
            ("registry:5000", "a/b", "")
        );
    }

    #[test]
    fn mirror() {
        let m = "registry.example.com/mirror";
        for (from, to) in [
            (
                "quay.io/airshipit/nova:2025.1-ubuntu_noble",
                "registry.example.com/mirror/nova:2025.1-ubuntu_noble",
            ),
            (
                "docker.io/rabbitmq:3.13-management",
                "registry.example.com/mirror/rabbitmq:3.13-management",
            ),
            (
                "docker.io/library/rabbitmq:3.13",
                "registry.example.com/mirror/rabbitmq:3.13",
            ),
            (
                "docker.io/xrally/xrally-openstack:2.0.0",
                "registry.example.com/mirror/xrally/xrally-openstack:2.0.0",
            ),
            (
                "ghcr.io/vexxhost/netoffload:v1.0.1",
                "registry.example.com/mirror/vexxhost/netoffload:v1.0.1",
            ),
            (
                "quay.io/other/thing:1",
                "registry.example.com/mirror/other/thing:1",
            ),
            ("nginx", "registry.example.com/mirror/nginx"),
            (
                "registry.example.com/mirror/nova:x",
                "registry.example.com/mirror/nova:x",
            ),
            (
                "registry.example.com/mirrored/nova:x",
                "registry.example.com/mirror/mirrored/nova:x",
            ),
        ] {
            assert_eq!(mirrored(from, m), to, "{from}");
        }
    }
}
