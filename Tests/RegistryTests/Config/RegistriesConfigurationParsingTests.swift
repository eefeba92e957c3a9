import Foundation
import OCI
import Testing

@testable import Registry

/// A fixture under testdata/registries/invalid and what its error must say: the entry (empty for
/// a file-level problem) and the problem.
struct InvalidRegistriesConf: Sendable, CustomTestStringConvertible {
    var file: String
    var entry: String
    var problem: String
    var testDescription: String { file }
}

private let invalidConfigs: [InvalidRegistriesConf] = [
    .init(
        file: "pull-from-mirror.conf", entry: "[[registry]] #2 (prefix \"quay.io\")",
        problem: "[[registry.mirror]] #2: pull-from-mirror = \"sometimes\": expected \"all\", \"digest-only\" or \"tag-only\""),
    .init(
        file: "mirror-without-location.conf", entry: "[[registry]] #1 (prefix \"quay.io\")",
        problem: "[[registry.mirror]] #1 has no location"),
    .init(
        file: "prefix-with-tag.conf", entry: "[[registry]] #1 (prefix \"docker.io/library/busybox:1.36\")",
        problem: "prefix = \"docker.io/library/busybox:1.36\" names a tag or digest"),
    .init(
        file: "prefix-with-digest.conf", entry: "[[registry]] #1 (prefix \"docker.io/library/busybox@sha256:",
        problem: "names a tag or digest"),
    .init(
        file: "duplicate-prefix.conf", entry: "[[registry]] #3 (location \"quay.io/\")",
        problem: "prefix \"quay.io\" is already used by [[registry]] #1"),
    .init(file: "no-prefix-no-location.conf", entry: "[[registry]] #1", problem: "neither prefix nor location is set"),
    .init(
        file: "wildcard-with-path.conf", entry: "[[registry]] #1 (prefix \"*.example.com/foo\")",
        problem: "a wildcard must be the whole first label of a bare host"),
    .init(
        file: "scheme.conf", entry: "[[registry]] #1 (prefix \"quay.io\")",
        problem: "location = \"https://quay.io\": URI schemes are not supported"),
    .init(
        file: "insecure-not-bool.conf", entry: "[[registry]] #1 (prefix \"quay.io\")",
        problem: "insecure = \"yes\": expected true or false"),
    .init(
        file: "pull-from-mirror-with-digest-only.conf",
        entry: "[[registry]] #1 (prefix \"quay.io/openshift-release-dev\")",
        problem: "[[registry.mirror]] #1: pull-from-mirror cannot be combined with mirror-by-digest-only = true"),
    .init(
        file: "pull-from-mirror-on-registry.conf", entry: "[[registry]] #1 (prefix \"quay.io\")",
        problem: "pull-from-mirror belongs in a [[registry.mirror]] table"),
    .init(
        file: "location-not-a-host.conf", entry: "[[registry]] #1 (prefix \"docker.io\")",
        problem: "location = \"mirror/dockerhub\": \"mirror\" is not a registry host"),
    .init(file: "registry-not-array.conf", entry: "", problem: "registry must be an array of tables: write [[registry]]"),
    .init(
        file: "search-registries.conf", entry: "",
        problem: "unqualified-search-registries: \"docker.io/library\" is not host[:port]"),
    .init(file: "version-1.conf", entry: "", problem: "version 1 format ([registries.search]"),
]

@Suite struct RegistriesConfigurationParsingTests {
    @Test(arguments: invalidConfigs)
    func errorsNameTheFileTheEntryAndTheProblem(config: InvalidRegistriesConf) {
        let file = RegistriesFixtures.path("invalid/\(config.file)")
        let error = #expect(throws: RegistriesConfigurationError.self) {
            _ = try RegistriesFixtures.parse("invalid/\(config.file)")
        }
        let message = error?.description ?? ""
        #expect(message.hasPrefix(file + ": "), "\(message)")
        if !config.entry.isEmpty { #expect(message.contains(": \(config.entry)"), "\(message)") }
        #expect(message.contains(config.problem), "\(message)")
    }

    @Test func aSyntaxErrorGivesTOMLKitsLineAndColumn() throws {
        let file = RegistriesFixtures.path("invalid/syntax.conf")
        let error = #expect(throws: RegistriesConfigurationError.self) {
            _ = try RegistriesFixtures.parse("invalid/syntax.conf")
        }
        guard case .syntax(let named, let line, let column, _) = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(named == file)
        #expect(line == 3)
        #expect(column > 1)
        #expect(error?.description.hasPrefix("\(file):3:\(column): invalid TOML: ") == true)
    }

    @Test func theFixtureReadsAsWritten() throws {
        let configuration = try RegistriesFixtures.parse("mirrors.conf")
        #expect(configuration.unqualifiedSearchRegistries == ["registry.fedoraproject.org", "quay.io", "docker.io"])
        #expect(configuration.registries.count == 10)

        let hub = try #require(configuration.registries.first { $0.prefix.value == "docker.io" })
        #expect(hub.origin == .init(file: RegistriesFixtures.path("mirrors.conf"), index: 1))
        #expect(
            hub.mirrors == [
                .init(location: "mirror-a.example.com:5000/dockerhub"),
                .init(location: "mirror-b.example.com/hub", insecure: true),
            ])
        let redHat = try #require(configuration.registries.first { $0.prefix.value == "registry.redhat.io" })
        #expect(redHat.mirrors.map(\.pullFromMirror) == [.tagOnly, .digestOnly, .all])
    }

    /// prefix → (location, insecure, blocked, mirror-by-digest-only) after parsing mirrors.conf.
    @Test(
        arguments: [
            ("docker.io/library", "internal.example.com/library", false, false, false),
            ("quay.io/openshift-release-dev", "quay.io/openshift-release-dev", false, false, true),
            ("localhost:5000", "localhost:5000", true, false, false),  // prefix defaults to location
            ("example.com/foo", "internal-registry-for-example.com/bar", false, false, false),  // trailing '/' dropped
            ("untrusted.example.org", "untrusted.example.org", false, true, false),
            ("*.corp.example", nil, true, false, false),  // a wildcard may leave location out
        ] as [(String, String?, Bool, Bool, Bool)])
    func entrySettings(prefix: String, location: String?, insecure: Bool, blocked: Bool, byDigest: Bool) throws {
        let configuration = try RegistriesFixtures.parse("mirrors.conf")
        let entry = try #require(configuration.registries.first { $0.prefix.value == prefix })
        #expect(entry.location == location)
        #expect(entry.insecure == insecure)
        #expect(entry.blocked == blocked)
        #expect(entry.mirrorByDigestOnly == byDigest)
    }

    @Test func anEmptyFileIsAnEmptyConfiguration() throws {
        let configuration = try RegistriesConfiguration(parsing: "# nothing\n", file: "empty.conf")
        #expect(configuration == RegistriesConfiguration())
    }

    @Test(arguments: [
        ("quay.io", "quay.io/a/b", true),
        ("quay.io/openshift", "quay.io/openshift/cli", true),
        ("quay.io/openshift", "quay.io/openshift", true),
        ("quay.io/openshift", "quay.io/openshift-release/cli", false),  // not on a component boundary
        ("quay.io", "quay.io:443/a", false),  // another port is another registry
        ("gcr.io", "us.gcr.io/a", false),
        ("*.example.com", "a.example.com/x", true),
        ("*.example.com", "b.a.example.com/x/y", true),  // any depth
        ("*.example.com", "a.example.com:5000/x", true),  // the port does not matter
        ("*.example.com", "example.com/x", false),
        ("*.example.com", "a.example.community/x", false),
        ("*.example.com", "evil.com/a.example.com/x", false),  // only the domain counts
    ])
    func prefixMatching(prefix: String, name: String, matches: Bool) throws {
        #expect((try RegistryPrefix(prefix).matchedLength(in: name) != nil) == matches)
    }
}

/// containers-registries.conf(5): without `location`, the source tried last is the reference as the
/// user wrote it, and `blocked` works on a prefix alone.
@Suite struct PrefixOnlyRegistryTests {
    @Test func aPrefixWithoutLocationKeepsTheReferenceAsItsSource() throws {
        let configuration = try RegistriesFixtures.parse("prefix-only.conf")
        let sources = try configuration.pullSources(for: try ImageReference("busybox:1.29"))
        #expect(sources.map(\.reference.description) == ["mirror.example.com/hub/busybox:1.29", "docker.io/library/busybox:1.29"])
    }

    @Test func aPrefixAloneCanBlock() throws {
        let configuration = try RegistriesFixtures.parse("prefix-only.conf")
        #expect(throws: RegistriesConfigurationError.self) {
            _ = try configuration.pullSources(for: try ImageReference("quay.io/openshift/origin-cli:4.15"))
        }
    }
}
