/// The parts of an image configuration airgap reads
/// (https://github.com/opencontainers/image-spec/blob/main/config.md); Docker's container
/// config has the same keys. Unknown keys are ignored, and so is `history`.
public struct ImageConfig: Sendable, Hashable, Codable {
    /// The CPU architecture, e.g. `amd64`.
    public var architecture: String
    /// The operating system, e.g. `linux`.
    public var os: String
    /// The CPU variant, e.g. `v8`.
    public var variant: String?
    /// The OS version (`os.version`), for Windows images.
    public var osVersion: String?
    /// Required OS features (`os.features`).
    public var osFeatures: [String]?
    /// When the image was created, RFC 3339 as written (kept as text: tools disagree on precision).
    public var created: String?
    /// The uncompressed layers, which a docker-archive must list one to one.
    public var rootfs: RootFS
    /// How a container runs by default; absent from some minimal images.
    public var config: Execution?

    public init(
        architecture: String, os: String, variant: String? = nil, osVersion: String? = nil,
        osFeatures: [String]? = nil, created: String? = nil, rootfs: RootFS, config: Execution? = nil
    ) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
        self.osVersion = osVersion
        self.osFeatures = osFeatures
        self.created = created
        self.rootfs = rootfs
        self.config = config
    }

    /// The platform this configuration describes.
    public var platform: Platform {
        Platform(
            os: os, architecture: architecture, variant: variant,
            osVersion: osVersion, osFeatures: osFeatures)
    }

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant, created, rootfs, config
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    /// `rootfs`: the layer chain by uncompressed digest.
    public struct RootFS: Sendable, Hashable, Codable {
        /// Always `layers`.
        public var type: String
        /// The sha256 of each uncompressed layer, base first.
        public var diffIDs: [Digest]

        public init(type: String = "layers", diffIDs: [Digest]) {
            self.type = type
            self.diffIDs = diffIDs
        }

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }
    }

    /// `config`: the execution defaults. Docker writes `null` for empty lists, read as `nil`.
    public struct Execution: Sendable, Hashable, Codable {
        /// Default arguments (`Cmd`).
        public var cmd: [String]?
        /// The program to run (`Entrypoint`).
        public var entrypoint: [String]?
        /// Environment, `NAME=value` entries (`Env`).
        public var env: [String]?
        /// Image labels (`Labels`).
        public var labels: [String: String]?
        /// Working directory (`WorkingDir`).
        public var workingDir: String?
        /// User, as `uid[:gid]` or a name (`User`).
        public var user: String?

        public init(
            cmd: [String]? = nil, entrypoint: [String]? = nil, env: [String]? = nil,
            labels: [String: String]? = nil, workingDir: String? = nil, user: String? = nil
        ) {
            self.cmd = cmd
            self.entrypoint = entrypoint
            self.env = env
            self.labels = labels
            self.workingDir = workingDir
            self.user = user
        }

        enum CodingKeys: String, CodingKey {
            case cmd = "Cmd"
            case entrypoint = "Entrypoint"
            case env = "Env"
            case labels = "Labels"
            case workingDir = "WorkingDir"
            case user = "User"
        }
    }
}
