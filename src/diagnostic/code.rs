//! Stable diagnostic codes. Each code has a page at `docs/codes/<CODE>.md`;
//! a test keeps this list and the pages in sync. Never renumber a code.

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $code:literal, $title:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($(#[$doc])* $name,)* }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// The code as printed: `E0001`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code,)* }
            }

            /// A short title, also the heading of the code's doc page.
            pub fn title(self) -> &'static str {
                match self { $(Code::$name => $title,)* }
            }
        }
    };
}

codes! {
    /// A file or directory could not be read.
    Io = "E0001", "cannot read input";
    /// The input is larger than the size limit.
    TooLarge = "E0002", "input too large";
    /// The input is not UTF-8 text.
    NotUtf8 = "E0003", "input is not UTF-8";
    /// YAML syntax error.
    Syntax = "E0004", "YAML syntax error";
    /// The same key appears twice in one map.
    DuplicateKey = "E0005", "duplicate key";
    /// Nesting, alias expansion or node count over the limits.
    TooComplex = "E0006", "input too deep or too large";
    /// The file holds no document, or more than one.
    DocumentCount = "E0007", "expected exactly one YAML document";
    /// A key the schema does not know.
    UnknownKey = "E0008", "unknown key";
    /// A value of the wrong type.
    WrongType = "E0009", "wrong type";
    /// A value that is out of range or badly formed.
    InvalidValue = "E0010", "invalid value";
    /// A required key is missing.
    MissingKey = "E0011", "missing required key";
    /// YAML features stackc does not accept (tags, complex keys).
    UnsupportedYaml = "E0012", "unsupported YAML feature";
    /// `spec.release` names a release the library does not have.
    UnknownRelease = "E0013", "unknown release";
    /// `spec.profile` names a profile the library does not have.
    UnknownProfile = "E0014", "unknown profile";
    /// `spec.services` names a component the library does not have.
    UnknownService = "E0015", "unknown service";
    /// Settings that contradict each other.
    Inconsistent = "E0016", "inconsistent settings";
    /// A required service is explicitly disabled.
    RequirementDisabled = "E0017", "required service is disabled";
    /// Secret material written into a site file, a layer or the library,
    /// or computed by an expression.
    SecretInSite = "E0018", "secret value in a site, layer or library";
    /// A value key that the chart does not have.
    UnknownChartKey = "E0019", "unknown chart value key";
    /// Components that require each other in a cycle.
    RequirementCycle = "E0020", "requirement cycle";
    /// `stackc explain` was given a path that does not exist.
    UnknownPath = "E0021", "unknown value path";
    /// An output directory stackc did not create.
    NotOwned = "E0022", "directory not owned by stackc";
    /// Two sites would render into the same directory.
    SiteConflict = "E0023", "two sites with one name";
    /// Reading a git revision failed.
    Git = "E0024", "git error";
    /// Two documents of a rendered tree have one identity.
    DuplicateObject = "E0025", "duplicate object in a rendered tree";
    /// `spec.release` names a release the library no longer renders.
    RetiredRelease = "E0030", "retired release";
    /// An enabled component has no chart version published for the release.
    NoChart = "E0031", "no published chart for the release";
    /// An enabled component cannot run with the release (no image build).
    Unavailable = "E0032", "component unavailable for the release";
    /// The registry mirror would store two different images under one name.
    MirrorConflict = "E0033", "images collide in the mirror";
    /// With a registry mirror, an image key holds no image reference.
    NotMirrored = "E0034", "image not moved to the mirror";
    /// Helm could not be started (missing, not executable).
    HelmMissing = "E0035", "helm cannot run";
    /// `helm template` failed on a chart.
    HelmFailed = "E0036", "helm template failed";
    /// `helm template` did not finish within the timeout.
    HelmTimeout = "E0037", "helm template timed out";
    /// A pinned chart version is not in the charts directory.
    ChartMissing = "E0038", "chart version not available";
    /// A chart package does not match the digest its index lists.
    ChartDigest = "E0039", "chart digest mismatch";
    /// No usable charts directory.
    ChartsDirectory = "E0040", "no usable charts directory";
    /// Helm printed something stackc cannot read as Kubernetes objects.
    HelmOutput = "E0041", "unreadable helm output";
    /// A Helm hook Job without the Argo CD hook annotations stackc sets.
    ArgoHook = "E0042", "hook Job without Argo CD hook annotations";
    /// Two Kubernetes clusters with one name (or one cloud-provider-openstack cluster name in a project).
    DuplicateCluster = "E0045", "duplicate Kubernetes cluster name";
    /// A `spec.kubernetes` setting needs a service the site does not run.
    KubernetesNeedsService = "E0046", "Kubernetes setting needs a service";
    /// No published cloud-provider-openstack chart for a Kubernetes version.
    NoChartForKubeVersion = "E0047", "no cloud-provider-openstack chart for this Kubernetes version";
    /// A cloud.conf section or key cloud-provider-openstack does not read.
    UnknownCloudConfKey = "E0048", "unknown cloud.conf section or key";
    /// A value stackc sets itself, from the catalogue or a typed setting.
    SetByStackc = "E0049", "value set by stackc";
    /// A cloud.conf value of the wrong type or form.
    InvalidCloudConfValue = "E0050", "invalid cloud.conf value";
    /// The Keystone webhook has no issuer for its serving certificate.
    WebhookIssuer = "E0051", "no issuer for the Keystone webhook";
    /// `stackc init` would overwrite a file.
    FileExists = "E0053", "file already exists";
    /// `render --check`: a rendered file differs from a fresh render.
    Stale = "E0054", "rendered output is out of date";
    /// `spec.services` names an OpenStack service openstack-helm has no
    /// chart for.
    UnsupportedService = "E0057", "no openstack-helm chart for the service";
    /// Two enabled services serve the same catalogue endpoint.
    EndpointConflict = "E0058", "two services serve one endpoint";
    /// A service that needs Ceph storage on a site without it.
    NeedsCeph = "E0059", "service needs Ceph storage";
    /// A setting a service cannot run without is missing.
    MissingServiceSetting = "E0060", "required service setting missing";
    /// The library itself is malformed.
    LibraryInvalid = "E0101", "invalid library";
    /// A library expression failed to evaluate.
    LibraryExpression = "E0102", "library expression error";
    /// The library lacks data for Kubernetes on this cloud.
    LibraryKubernetes = "E0111", "library lacks Kubernetes data";
    /// What stackc assembled for a cluster fails its own check.
    KubernetesSelfCheck = "E0112", "assembled cluster configuration is invalid";
    /// A setting that has no effect (warning).
    Ineffective = "W0001", "setting has no effect";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
