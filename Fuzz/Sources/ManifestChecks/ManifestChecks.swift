import Foundation
import OCI

/// What every decoded manifest, index and config must allow: each property airgap reads can be
/// read, and encoding the value then decoding it again gives the same value (archives write
/// `index.json` and `manifest.json` that way).
public enum ManifestModelChecks {
    /// Platforms that exercise every branch of matching: aliases, variants, attestations.
    static let platforms = [
        Platform.default, Platform(os: "linux", architecture: "arm", variant: "v7"),
        Platform(os: "linux", architecture: "arm64", variant: "v8.2"), Platform(os: "windows", architecture: "amd64"),
    ]

    public static func check(_ manifest: ImageManifest) {
        _ = manifest.contentSize
        for descriptor in [manifest.config] + manifest.layers + [manifest.subject].compactMap({ $0 }) {
            check(descriptor)
        }
        checkRoundTrip(manifest)
    }

    public static func check(_ index: ImageIndex) {
        index.manifests.forEach(check)
        _ = index.platformManifests
        for platform in platforms {
            _ = index.manifest(for: platform)
        }
        checkRoundTrip(index)
    }

    public static func check(_ config: ImageConfig) {
        check(config.platform)
        _ = config.rootfs.diffIDs.map(\.description)
        checkRoundTrip(config)
    }

    static func check(_ descriptor: Descriptor) {
        precondition(descriptor.size >= 0, "descriptor \(descriptor.digest) decoded with size \(descriptor.size)")
        _ = descriptor.mediaType.isLayer
        _ = descriptor.mediaType.isNondistributable
        _ = descriptor.digest.description
        if let platform = descriptor.platform { check(platform) }
    }

    static func check(_ platform: Platform) {
        _ = platform.description
        _ = platform.normalized().description
        _ = platform.isUnknown
        for wanted in platforms {
            _ = wanted.matches(platform)
            _ = platform.matches(wanted)
        }
    }

    static func checkRoundTrip<T: Codable & Equatable>(_ value: T) {
        let encoded: Data
        do {
            encoded = try JSONEncoder().encode(value)
        } catch {
            preconditionFailure("a decoded \(T.self) does not encode: \(error)")
        }
        do {
            let decoded = try JSONDecoder().decode(T.self, from: encoded)
            precondition(decoded == value, "\(T.self) changes when encoded and decoded again")
        } catch {
            preconditionFailure("an encoded \(T.self) does not decode: \(error)")
        }
    }
}
