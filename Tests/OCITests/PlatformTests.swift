import Foundation
import OCI
import Testing

// Normalization as containerd's platforms package (database.go normalizeArch), the rules
// docker and containerd use to pick a manifest from an index.

@Test(arguments: [
    ("linux/amd64", "linux", "amd64", nil),
    ("linux/arm64/v8", "linux", "arm64", "v8"),
    ("linux/arm/v7", "linux", "arm", "v7"),
    ("windows/amd64", "windows", "amd64", nil),
    ("linux/x86_64", "linux", "x86_64", nil),
] as [(String, String, String, String?)])
func parsesPlatformStrings(_ text: String, _ os: String, _ architecture: String, _ variant: String?) throws {
    let platform = try Platform(text)
    #expect(platform == Platform(os: os, architecture: architecture, variant: variant))
    #expect(platform.description == text)
}

@Test(arguments: [
    ("", PlatformError.wrongShape("")),
    ("linux", .wrongShape("linux")),
    ("linux/arm/v7/extra", .wrongShape("linux/arm/v7/extra")),
    ("linux/", .invalidPart("", platform: "linux/")),
    ("/amd64", .invalidPart("", platform: "/amd64")),
    ("linux/arm/", .invalidPart("", platform: "linux/arm/")),
    ("linux/amd 64", .invalidPart("amd 64", platform: "linux/amd 64")),
])
func refusesMalformedPlatformStrings(_ text: String, _ error: PlatformError) {
    #expect(throws: error) { try Platform(text) }
    #expect(error.description.contains("\"\(text)\""))
}

@Test(arguments: [
    ("linux/amd64", "linux/amd64"),
    ("linux/x86_64", "linux/amd64"),
    ("linux/x86-64", "linux/amd64"),
    ("linux/amd64/v1", "linux/amd64"),
    ("linux/amd64/v3", "linux/amd64/v3"),
    ("linux/aarch64", "linux/arm64"),
    ("linux/arm64/v8", "linux/arm64"),
    ("linux/arm64/8", "linux/arm64"),
    ("linux/arm64/v9.0", "linux/arm64/v9"),
    ("linux/armhf", "linux/arm/v7"),
    ("linux/armel", "linux/arm/v6"),
    ("linux/arm", "linux/arm/v7"),
    ("linux/arm/6", "linux/arm/v6"),
    ("linux/i386", "linux/386"),
    ("Linux/AMD64", "linux/amd64"),
    ("macos/arm64", "darwin/arm64"),
    ("linux/ppc64le", "linux/ppc64le"),
    ("linux/riscv64", "linux/riscv64"),
])
func normalizesAliases(_ text: String, _ expected: String) throws {
    #expect(try Platform(text).normalized().description == expected)
}

struct MatchCase: Sendable, CustomTestStringConvertible {
    var wanted: String
    var candidate: String
    var matches: Bool
    var testDescription: String { "\(wanted) \(matches ? "runs" : "does not run") \(candidate)" }
}

@Test(arguments: [
    MatchCase(wanted: "linux/amd64", candidate: "linux/amd64", matches: true),
    MatchCase(wanted: "linux/amd64", candidate: "linux/x86_64", matches: true),
    MatchCase(wanted: "linux/arm64", candidate: "linux/arm64/v8", matches: true),
    MatchCase(wanted: "linux/arm64/v8", candidate: "linux/arm64", matches: true),
    MatchCase(wanted: "linux/aarch64", candidate: "linux/arm64/v8", matches: true),
    MatchCase(wanted: "linux/arm", candidate: "linux/arm/v7", matches: true),
    MatchCase(wanted: "linux/armhf", candidate: "linux/arm/v7", matches: true),
    MatchCase(wanted: "linux/arm/v7", candidate: "linux/arm/v6", matches: true),
    MatchCase(wanted: "linux/arm/v6", candidate: "linux/arm/v7", matches: false),
    MatchCase(wanted: "linux/arm/v7", candidate: "linux/arm64", matches: false),
    MatchCase(wanted: "linux/amd64/v3", candidate: "linux/amd64", matches: true),
    MatchCase(wanted: "linux/amd64", candidate: "linux/amd64/v3", matches: false),
    MatchCase(wanted: "linux/arm64/v9", candidate: "linux/arm64", matches: true),
    MatchCase(wanted: "linux/amd64", candidate: "windows/amd64", matches: false),
    MatchCase(wanted: "linux/amd64", candidate: "linux/arm64", matches: false),
    MatchCase(wanted: "linux/amd64", candidate: "unknown/unknown", matches: false),
    MatchCase(wanted: "linux/ppc64le", candidate: "linux/ppc64le", matches: true),
    MatchCase(wanted: "linux/ppc64le/power9", candidate: "linux/ppc64le", matches: true),
    MatchCase(wanted: "linux/ppc64le", candidate: "linux/ppc64le/power9", matches: false),
])
func matchesRunnablePlatforms(_ c: MatchCase) throws {
    #expect(try Platform(c.wanted).matches(Platform(c.candidate)) == c.matches)
}

@Test func defaultIsLinuxAMD64() {
    #expect(Platform.default.description == "linux/amd64")
}

@Test func codableWithOCIKeys() throws {
    let json = #"{"architecture":"amd64","os":"windows","os.version":"10.0.20348.2340","os.features":["win32k"]}"#
    let platform = try JSONDecoder().decode(Platform.self, from: Data(json.utf8))
    #expect(platform.osVersion == "10.0.20348.2340")
    #expect(platform.osFeatures == ["win32k"])
    let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(platform)) as? [String: Any]
    #expect(encoded?["os.version"] as? String == "10.0.20348.2340")
    #expect(encoded?["os.features"] as? [String] == ["win32k"])
}

// MARK: - Choosing from an index

@Test(arguments: [
    ("linux/amd64", "linux/amd64"),
    ("linux/x86_64", "linux/amd64"),
    ("linux/amd64/v3", "linux/amd64"),  // a v3 CPU runs baseline amd64 images
    ("linux/arm64", "linux/arm64/v8"),
    ("linux/arm64/v8", "linux/arm64/v8"),
    ("linux/arm/v7", "linux/arm/v7"),
    ("linux/armhf", "linux/arm/v7"),
    ("linux/ppc64le", "linux/ppc64le"),
    ("linux/s390x", "linux/s390x"),
])
func picksFromOCIIndex(_ wanted: String, _ expected: String) throws {
    let index = try Fixture.index("oci-index.json")
    let chosen = try #require(index.manifest(for: Platform(wanted)))
    #expect(chosen.platform?.description == expected)
}

@Test(arguments: ["linux/riscv64", "windows/amd64", "linux/arm/v6", "linux/mips64le", "unknown/unknown"])
func findsNothingForOtherPlatforms(_ wanted: String) throws {
    let index = try Fixture.index("oci-index.json")
    #expect(index.manifest(for: try Platform(wanted)) == nil)
}

@Test func prefersTheExactVariantThenTheNewestCompatible() throws {
    let list = try Fixture.index("docker-manifest-list.json")
    #expect(list.manifest(for: try Platform("linux/arm/v7"))?.platform?.variant == "v7")
    #expect(list.manifest(for: try Platform("linux/arm/v6"))?.platform?.variant == "v6")
    #expect(list.manifest(for: try Platform("linux/386"))?.platform?.architecture == "386")

    // Without a v7 entry an arm/v7 host takes the newest older variant, whatever the order.
    var older = list
    older.manifests.removeAll { $0.platform?.variant == "v7" }
    older.manifests.reverse()
    #expect(older.manifest(for: try Platform("linux/arm/v7"))?.platform?.variant == "v6")
}

@Test func skipsAttestationsEvenWhenListedFirst() throws {
    var index = try Fixture.index("oci-index.json")
    index.manifests.reverse()
    let chosen = try #require(index.manifest(for: .default))
    #expect(chosen.platform?.description == "linux/amd64")
    #expect(chosen.annotations == nil)
}
