// Platform strings and matching, with the aliases of containerd's platforms package
// (https://github.com/containerd/platforms, database.go normalizeArch), so `linux/x86_64` and
// `linux/arm64/v8` pick what docker and containerd would pick.

extension Platform {
    /// Parses `os/arch[/variant]`, e.g. `linux/amd64`, `linux/arm/v7`. Values are kept as written;
    /// matching normalizes them.
    public init(_ string: String) throws(PlatformError) {
        let parts = string.split(separator: "/", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count) else { throw .wrongShape(string) }
        for part in parts where !Self.isValidPart(part) {
            throw .invalidPart(String(part), platform: string)
        }
        self.init(
            os: String(parts[0]), architecture: String(parts[1]),
            variant: parts.count == 3 ? String(parts[2]) : nil)
    }

    /// `unknown/unknown`: how BuildKit marks attestation manifests inside an index.
    public var isUnknown: Bool { os == "unknown" && architecture == "unknown" }

    /// The canonical spelling: lowercase, `macos` → `darwin`, architecture aliases resolved
    /// (`x86_64` → `amd64`, `aarch64` → `arm64`, `armhf` → `arm/v7`, `armel` → `arm/v6`,
    /// `i386` → `386`), default variants dropped (`arm64/v8` → `arm64`, `amd64/v1` → `amd64`)
    /// and `arm` given its default `v7`. `osVersion` and `osFeatures` are kept.
    public func normalized() -> Platform {
        var os = os.lowercased()
        if os == "macos" { os = "darwin" }
        var architecture = architecture.lowercased()
        var variant = variant?.lowercased() ?? ""

        switch architecture {
        case "i386":
            architecture = "386"
            variant = ""
        case "x86_64", "x86-64", "amd64":
            architecture = "amd64"
            if variant == "v1" { variant = "" }
        case "aarch64", "arm64":
            architecture = "arm64"
            switch variant {
            case "8", "v8", "v8.0": variant = ""
            case "9", "9.0", "v9.0": variant = "v9"
            default: break
            }
        case "armhf":
            architecture = "arm"
            variant = "v7"
        case "armel":
            architecture = "arm"
            variant = "v6"
        case "arm":
            switch variant {
            case "", "7": variant = "v7"
            case "5", "6", "8": variant = "v" + variant
            default: break
            }
        default:
            break
        }
        return Platform(
            os: os, architecture: architecture, variant: variant.isEmpty ? nil : variant,
            osVersion: osVersion, osFeatures: osFeatures)
    }

    /// Whether an image built for `candidate` runs on this platform: the same OS and
    /// architecture after normalization, and the candidate's variant is this one or an older
    /// one of the same line (an `arm/v6` image runs on `arm/v7`; an `amd64/v3` image does not
    /// run on `amd64`). A candidate without a variant claims the baseline and matches.
    /// `osVersion` and `osFeatures` are not compared.
    public func matches(_ candidate: Platform) -> Bool {
        variantDistance(to: candidate) != nil
    }

    /// How far `candidate`'s variant lies below this one's: 0 for the same variant, `nil` when
    /// the candidate does not run here at all.
    func variantDistance(to candidate: Platform) -> Int? {
        let wanted = normalized()
        let offered = candidate.normalized()
        guard wanted.os == offered.os, wanted.architecture == offered.architecture else { return nil }
        if wanted.variant == offered.variant { return 0 }
        if let mine = wanted.variantLevel, let theirs = offered.variantLevel {
            guard theirs <= mine else { return nil }
            return (mine.major - theirs.major) * 100 + (mine.minor - theirs.minor)
        }
        // A variant we cannot order (ppc64le/power9, …): only a variant-less image is safe.
        return offered.variant == nil ? Int.max : nil
    }

    /// The variant as an ordered version for the architectures whose variants are CPU
    /// generations; a missing variant is the architecture's baseline. Call on a normalized value.
    private var variantLevel: VariantLevel? {
        let baseline: VariantLevel?
        switch architecture {
        case "amd64": baseline = VariantLevel(major: 1, minor: 0)
        case "arm64": baseline = VariantLevel(major: 8, minor: 0)
        case "arm": baseline = nil  // normalized arm always has a variant
        default: return nil
        }
        guard let variant else { return baseline }
        guard variant.hasPrefix("v") else { return nil }
        let numbers = variant.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(numbers.count), let major = Self.variantNumber(numbers[0]) else { return nil }
        let minor = numbers.count == 2 ? Self.variantNumber(numbers[1]) : 0
        guard let minor else { return nil }
        return VariantLevel(major: major, minor: minor)
    }

    /// One to three ASCII digits. `Int(_:)` alone also takes signs and 19 digits: an index entry
    /// with variant `v-9223372036854775808` made `variantDistance` overflow and trap (fuzz-found).
    private static func variantNumber(_ text: Substring) -> Int? {
        guard (1...3).contains(text.utf8.count), text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int(text)
    }

    private static func isValidPart(_ part: Substring) -> Bool {
        !part.isEmpty
            && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }
}

private struct VariantLevel: Comparable {
    var major: Int
    var minor: Int

    static func < (lhs: VariantLevel, rhs: VariantLevel) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }
}

extension ImageIndex {
    /// The entries that name a real platform: attestation entries (`unknown/unknown`) and
    /// entries without a platform are left out.
    public var platformManifests: [Descriptor] {
        manifests.filter { $0.platform.map { !$0.isUnknown } ?? false }
    }

    /// The manifest to pull for `platform`: an exact match after normalization first,
    /// otherwise the compatible entry with the newest variant (`arm/v6` for an `arm/v7` host
    /// when there is no v7); the first in index order among equals. Attestation entries are
    /// skipped. `nil` when nothing runs on `platform`.
    public func manifest(for platform: Platform) -> Descriptor? {
        var best: (descriptor: Descriptor, distance: Int)?
        for descriptor in platformManifests {
            guard let candidate = descriptor.platform,
                let distance = platform.variantDistance(to: candidate)
            else { continue }
            if distance < best?.distance ?? Int.max || best == nil {
                best = (descriptor, distance)
            }
        }
        return best?.descriptor
    }
}
