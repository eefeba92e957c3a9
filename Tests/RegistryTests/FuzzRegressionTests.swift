import Foundation
import OCI
import Registry
import Testing

// Replays what the libFuzzer targets in Fuzz/ (run by scripts/fuzz.sh) read: their seeds, every
// input that once crashed them (testdata/fuzz/<target>/crash-*, kept after the fix), and hostile
// inputs too large to commit, built here. Each parser must return a value or throw its own
// error, never trap; values must survive being printed or encoded and read again.
// (crictl-snapshot inputs belong to Inventory and are not replayed here.)

/// The committed inputs of one fuzz target: testdata/fuzz/<target>/, plus `extra` directories.
private enum FuzzInputs {
    static let testdata = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // RegistryTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("testdata")

    static func files(_ target: String, extra: [String] = []) -> [FuzzInput] {
        (["fuzz/\(target)"] + extra).flatMap { directory in
            let url = testdata.appendingPathComponent(directory)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            return names.sorted().map {
                FuzzInput(name: "\(directory)/\($0)", bytes: (try? Data(contentsOf: url.appendingPathComponent($0))) ?? Data())
            }
        }
    }
}

/// One input a fuzz target reads, named for the test report.
struct FuzzInput: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: Data
    var text: String { String(decoding: bytes, as: UTF8.self) }
    var testDescription: String { name }

    init(name: String, bytes: Data) {
        (self.name, self.bytes) = (name, bytes)
    }

    init(_ name: String, _ text: String) {
        self.init(name: name, bytes: Data(text.utf8))
    }
}

private let digestHex = "f4c57509c6b6e9913ee565f553be451d209c3a94ce3ac27736241848a77ac132"
private let megabyte = 1 << 20

// MARK: - Hostile inputs

private let hostileStrings: [FuzzInput] = [
    .init("1 MB name", String(repeating: "a", count: megabyte)),
    .init("1 MB tag", "busybox:" + String(repeating: "t", count: megabyte)),
    .init("1 MB digest", "busybox@sha256:" + String(repeating: "0", count: megabyte)),
    .init("1 MB of /", String(repeating: "/", count: megabyte)),
    .init("1 MB of a/", String(repeating: "a/", count: megabyte / 2) + "a"),
    .init("1 MB of @", String(repeating: "@", count: megabyte)),
    .init("1 MB of :", String(repeating: ":", count: megabyte)),
    .init("1 MB IPv6 host", "[" + String(repeating: ":", count: megabyte) + "]:5000/x"),
    .init("1 MB port", "localhost:" + String(repeating: "9", count: megabyte) + "/x"),
    .init("1 MB of .", "a" + String(repeating: ".", count: megabyte) + "a/b"),
    .init("path of 256 after library/", String(repeating: "a", count: 248)),
    .init("combining mark after /", "registry.example.com/a/\u{301}b:1"),
    .init("titlecase domain", "\u{01C5}.io/x"),
    .init("NUL in tag", "busybox:1.29\u{0}"),
    .init("unknown digest algorithm", "busybox@sha512:" + digestHex + digestHex),
    .init("digest with path separators", "busybox@sha256:../../" + digestHex),
    .init(name: "invalid UTF-8", bytes: Data([0xFF, 0xFE, 0x62, 0x75, 0x73, 0x79, 0xC0, 0x80, 0x3A, 0x31])),
]

private let hostileHeaders: [FuzzInput] = [
    .init("1 MB unterminated quoted string", "Bearer realm=\"" + String(repeating: "x", count: megabyte)),
    .init("1 MB of commas", String(repeating: ",", count: megabyte)),
    .init("1 MB of backslashes", "Bearer realm=\"" + String(repeating: "\\", count: megabyte)),
    .init("100k parameters", "Bearer " + String(repeating: "a=b,", count: 100_000)),
    .init("100k schemes", String(repeating: "Basic ", count: 100_000)),
    .init("trailing backslash", "Bearer realm=\"\\"),
    .init("NUL bytes", "Bearer realm=\"a\u{0}b\",\u{0}service=x"),
    .init(name: "invalid UTF-8", bytes: Data([0x42, 0x61, 0x73, 0x69, 0x63, 0x20, 0x72, 0x3D, 0x22, 0xFF, 0xC3, 0x22])),
]

private func descriptorJSON(size: String, platform: String = "") -> String {
    #"{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:\#(digestHex)","size":\#(size)\#(platform)}"#
}

private func manifestJSON(configSize: String = "2", layerSizes: [String]) -> String {
    #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":"#
        + descriptorJSON(size: configSize) + #","layers":["# + layerSizes.map { descriptorJSON(size: $0) }.joined(separator: ",") + "]}"
}

private let depth = 100_000

/// JSON that no decoder may accept: nesting, numbers out of range, bad sizes, bad text.
private let hostileJSON: [FuzzInput] = [
    .init("100k nested arrays", String(repeating: "[", count: depth) + String(repeating: "]", count: depth)),
    .init("100k nested objects", String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)),
    .init(
        "100k nested arrays in manifests",
        #"{"schemaVersion":2,"manifests":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"),
    .init("100k unclosed arrays in annotations", #"{"schemaVersion":2,"annotations":"# + String(repeating: "[", count: depth)),
    .init(
        "100k nested platforms",
        #"{"schemaVersion":2,"manifests":["#
            + descriptorJSON(size: "1", platform: #","platform":"# + String(repeating: #"{"os":"#, count: depth)) + "]}"),
    .init("size 1e309", manifestJSON(layerSizes: ["1e309"])),
    .init("size 2^63", manifestJSON(layerSizes: ["9223372036854775808"])),
    .init("size -2^63-1", manifestJSON(layerSizes: ["-9223372036854775809"])),
    .init("size 10^40", manifestJSON(layerSizes: ["10000000000000000000000000000000000000000"])),
    .init("size 1.5", manifestJSON(layerSizes: ["1.5"])),
    .init("size 2^62", manifestJSON(layerSizes: ["4611686018427387904"])),
    .init("size just over 1 TiB", manifestJSON(layerSizes: ["1099511627777"])),
    .init(
        "sizes summing past Int64.max",
        manifestJSON(configSize: "9223372036854775807", layerSizes: Array(repeating: "9223372036854775807", count: 3))),
    .init("size as string", manifestJSON(layerSizes: [#""1""#])),
    .init("negative layer size", manifestJSON(layerSizes: ["-1"])),
    .init("negative config size", manifestJSON(configSize: "-9223372036854775808", layerSizes: [])),
    .init("negative index entry size", #"{"schemaVersion":2,"manifests":["# + descriptorJSON(size: "-1") + "]}"),
    .init("schemaVersion 1e400", #"{"schemaVersion":1e400,"manifests":[]}"#),
    .init("schemaVersion 2^64", #"{"schemaVersion":18446744073709551616,"manifests":[]}"#),
    .init(
        name: "invalid UTF-8 in a string",
        bytes: Data(#"{"schemaVersion":2,"mediaType":""#.utf8) + Data([0xFF, 0xC0, 0x80]) + Data(#"","manifests":[]}"#.utf8)),
    .init(name: "NUL and a BOM", bytes: Data([0xEF, 0xBB, 0xBF]) + Data(#"{"schemaVersion":2,"manifests":[]}"#.utf8) + Data([0])),
]

/// JSON that decodes, but whose values once broke something read from them.
private let awkwardJSON: [FuzzInput] = [
    .init("10k layers", manifestJSON(layerSizes: Array(repeating: "1000", count: 10_000))),
    .init(
        "1 MB annotation", #"{"schemaVersion":2,"manifests":[],"annotations":{"a":""# + String(repeating: "x", count: megabyte) + #""}}"#),
    .init("lone surrogate and NUL", #"{"schemaVersion":2,"manifests":[],"annotations":{"\ud800":"\u0000"}}"#),
    .init(
        "platform aliases",
        #"{"schemaVersion":2,"manifests":["#
            + descriptorJSON(
                size: "1", platform: #","platform":{"os":"LINUX","architecture":"aarch64","variant":"v99999999999999999999.1"}"#) + "]}"),
]

// MARK: - Checks shared with the fuzz targets

private let contentTypes: [MediaType?] = [
    nil, "application/json", .ociImageManifest, .ociImageIndex, .dockerManifest, .dockerManifestList,
    .dockerSchema1SignedManifest, "application/vnd.oci.artifact.manifest.v1+json",
]

/// What the fuzz targets do with a decoded manifest: read everything airgap reads, and check that
/// encoding and decoding again changes nothing.
private func exercise(_ manifest: ImageManifest) throws {
    let sizes = [manifest.config.size] + manifest.layers.map(\.size)
    #expect(sizes.allSatisfy { (0...Descriptor.maximumSize).contains($0) })
    // The sum, or nil past Int64.max, where contentSize must saturate.
    let sum = sizes.reduce(Int64(0) as Int64?) { sum, size in
        sum.flatMap { $0.addingReportingOverflow(size) }.flatMap { $0.overflow ? nil : $0.partialValue }
    }
    #expect(manifest.contentSize == sum ?? .max)
    #expect(try JSONDecoder().decode(ImageManifest.self, from: JSONEncoder().encode(manifest)) == manifest)
}

private func exercise(_ index: ImageIndex) throws {
    #expect(index.manifests.allSatisfy { (0...Descriptor.maximumSize).contains($0.size) })
    for platform in wantedPlatforms {
        _ = index.manifest(for: platform)
    }
    index.manifests.compactMap(\.platform).forEach(exercise)
    #expect(try JSONDecoder().decode(ImageIndex.self, from: JSONEncoder().encode(index)) == index)
}

/// Platforms to match decoded ones against, both ways, as bundle's `--platform` does.
private let wantedPlatforms = [Platform.default, Platform(os: "linux", architecture: "arm", variant: "v7")]

private func exercise(_ platform: Platform) {
    _ = platform.normalized().description
    for wanted in wantedPlatforms {
        _ = wanted.matches(platform)
        _ = platform.matches(wanted)
    }
}

private func exercise(_ config: ImageConfig) throws {
    exercise(config.platform)
    #expect(try JSONDecoder().decode(ImageConfig.self, from: JSONEncoder().encode(config)) == config)
}

/// Returns whether any decoder accepted the bytes.
@discardableResult
private func decodeEveryWay(_ bytes: Data) throws -> Bool {
    var accepted = false
    for contentType in contentTypes {
        switch try? ManifestDocument(decoding: bytes, contentType: contentType) {
        case .image(let manifest)?: try exercise(manifest); accepted = true
        case .index(let index)?: try exercise(index); accepted = true
        case nil: break
        }
    }
    if let index = try? JSONDecoder().decode(ImageIndex.self, from: bytes) { try exercise(index); accepted = true }
    if let manifest = try? JSONDecoder().decode(ImageManifest.self, from: bytes) { try exercise(manifest); accepted = true }
    if let config = try? JSONDecoder().decode(ImageConfig.self, from: bytes) { try exercise(config); accepted = true }
    return accepted
}

private func exerciseReference(_ text: String) throws {
    if let reference = try? ImageReference(text) {
        let printed = reference.description
        #expect(try ImageReference(printed) == reference)
        #expect(try ImageReference(printed).description == printed)
        _ = (reference.familiar, reference.manifestReference)
    }
    if let digest = try? Digest(text) { #expect(digest.description == text) }
    if let platform = try? Platform(text) {
        #expect(platform.description == text)
        exercise(platform)
    }
}

// MARK: - Tests

// A hang guard, not a timing assertion: generous, since sanitizer builds run the 10k-layer
// inputs many times slower.
@Suite(.timeLimit(.minutes(5)))
struct FuzzRegressionTests {
    @Test("reference inputs parse or throw, and parsed ones print back", arguments: FuzzInputs.files("reference") + hostileStrings)
    func references(_ input: FuzzInput) throws {
        try exerciseReference(input.text)
    }

    // A 1 MB host or port is accepted, as distribution/reference accepts it: neither has a length limit.
    @Test(
        "1 MB and malformed references are refused",
        arguments: hostileStrings.filter { !["1 MB IPv6 host", "1 MB port"].contains($0.name) })
    func hugeReferencesAreRefused(_ input: FuzzInput) {
        #expect(throws: ReferenceError.self) { try ImageReference(input.text) }
    }

    @Test("WWW-Authenticate inputs parse", arguments: FuzzInputs.files("auth-challenge") + hostileHeaders)
    func challenges(_ input: FuzzInput) {
        let values = input.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for challenge in AuthChallenge.parse(values) + AuthChallenge.parse(input.text) {
            if case .other(let scheme) = challenge.scheme { #expect(!scheme.isEmpty) }
        }
    }

    @Test("the challenge parser keeps a usable challenge next to a huge one")
    func challengeNextToHugeOne() {
        let huge = "Bearer realm=\"" + String(repeating: "x", count: megabyte) + "\", Basic realm=\"r\""
        #expect(AuthChallenge.parse(huge).map(\.scheme) == [.bearer, .basic])
    }

    @Test(
        "manifest inputs decode or throw under every Content-Type",
        arguments: FuzzInputs.files("manifest-document", extra: ["manifests"]) + FuzzInputs.files("manifest-models") + awkwardJSON)
    func manifests(_ input: FuzzInput) throws {
        try decodeEveryWay(input.bytes)
    }

    @Test("every prefix of a manifest decodes or throws", arguments: FuzzInputs.files("manifest-document", extra: ["manifests"]))
    func truncatedManifests(_ input: FuzzInput) throws {
        for end in stride(from: 0, to: input.bytes.count, by: 13) {
            try decodeEveryWay(input.bytes.prefix(end))
        }
    }

    @Test("hostile JSON is refused by every decoder", arguments: hostileJSON)
    func hostileJSONIsRefused(_ input: FuzzInput) throws {
        #expect(try !decodeEveryWay(input.bytes))
    }

    @Test("a variant number that overflows Int arithmetic is not an orderable variant")
    func hugeVariantNumbers() throws {
        for variant in ["v-9223372036854775808", "v9223372036854775807", "v8.-9223372036854775808", "v+8", "v0092116303783898644"] {
            let candidate = Platform(os: "linux", architecture: "amd64", variant: variant)
            #expect(!Platform.default.matches(candidate), "\(variant)")
            #expect(!candidate.matches(Platform(os: "linux", architecture: "amd64", variant: "v2")), "\(variant)")
            let index = ImageIndex(manifests: [
                Descriptor(mediaType: .ociImageManifest, digest: try .sha256(hex: digestHex), size: 1, platform: candidate)
            ])
            #expect(index.manifest(for: .default) == nil, "\(variant)")
        }
        // Real variants still order: an amd64/v2 host runs a v1 image, an arm64/v8.2 host a v8.1 one.
        #expect(try Platform("linux/amd64/v2").matches(Platform("linux/amd64/v1")))
        #expect(try Platform("linux/arm64/v8.2").matches(Platform("linux/arm64/v8.1")))
    }

    // Decoding now refuses sizes over Descriptor.maximumSize (the fuzz input that found the overflow
    // is in hostileJSON); sums of values built in code must still saturate.
    @Test("a manifest whose sizes overflow Int64 reports a saturated content size")
    func contentSizeSaturates() throws {
        let huge = Descriptor(mediaType: .ociLayerGzip, digest: try .sha256(hex: digestHex), size: .max)
        let manifest = ImageManifest(config: huge, layers: [huge, huge])
        #expect(manifest.contentSize == .max)
    }
}
