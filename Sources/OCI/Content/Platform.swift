/// The platform an image runs on, as in the OCI image index
/// (https://github.com/opencontainers/image-spec/blob/main/image-index.md#image-index-property-descriptions).
///
/// Values are kept as written; `normalized()` and `matches(_:)` apply containerd's aliases.
public struct Platform: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The operating system, e.g. `linux`, `windows`.
    public var os: String
    /// The CPU architecture, e.g. `amd64`, `arm64`, `ppc64le`.
    public var architecture: String
    /// The CPU variant, e.g. `v7` for arm, `v8` for arm64.
    public var variant: String?
    /// The OS version (`os.version`), used by Windows images.
    public var osVersion: String?
    /// Required OS features (`os.features`), e.g. `win32k`.
    public var osFeatures: [String]?

    public init(
        os: String, architecture: String, variant: String? = nil,
        osVersion: String? = nil, osFeatures: [String]? = nil
    ) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
        self.osVersion = osVersion
        self.osFeatures = osFeatures
    }

    /// `linux/amd64`, the platform pulled when none is asked for.
    public static let `default` = Platform(os: "linux", architecture: "amd64")

    /// `os/architecture[/variant]`, e.g. `linux/arm64/v8`.
    public var description: String {
        var text = "\(os)/\(architecture)"
        if let variant, !variant.isEmpty { text += "/\(variant)" }
        return text
    }

    enum CodingKeys: String, CodingKey {
        case os
        case architecture
        case variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }
}
