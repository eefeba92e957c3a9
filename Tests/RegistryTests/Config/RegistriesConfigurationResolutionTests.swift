import Foundation
import OCI
import Testing

@testable import Registry

private let digest = "sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa"

/// A reference and the pull sources testdata/registries/mirrors.conf gives for it, in order, as
/// `PullSource.description` prints them.
struct RegistriesConfResolution: Sendable, CustomTestStringConvertible {
    var reference: String
    var sources: [String]
    var why: String
    var testDescription: String { why }
}

private let resolutions: [RegistriesConfResolution] = [
    .init(
        reference: "docker.io/bitnami/redis:7.2",
        sources: [
            "mirror-a.example.com:5000/dockerhub/bitnami/redis:7.2 (mirror)",
            "mirror-b.example.com/hub/bitnami/redis:7.2 (mirror) (insecure)",
            "docker.io/bitnami/redis:7.2",
        ], why: "mirrors in order, the source last"),
    .init(
        reference: "busybox:1.36", sources: ["internal.example.com/library/busybox:1.36"],
        why: "the longest prefix wins and its location keeps the rest of the name"),
    .init(
        reference: "busybox", sources: ["internal.example.com/library/busybox:latest"],
        why: "a short name is normalized before matching"),
    .init(
        reference: "quay.io/openshift-release-dev/ocp-release:4.15.0-x86_64",
        sources: ["quay.io/openshift-release-dev/ocp-release:4.15.0-x86_64"],
        why: "mirror-by-digest-only skips the mirrors for a tag"),
    .init(
        reference: "quay.io/openshift-release-dev/ocp-release@\(digest)",
        sources: [
            "mirror.lab:8443/ocp/ocp-release@\(digest) (mirror)",
            "quay.io/openshift-release-dev/ocp-release@\(digest)",
        ], why: "mirror-by-digest-only uses the mirrors for a digest"),
    .init(
        reference: "quay.io/openshift-release-dev/ocp-release:4.15@\(digest)",
        sources: [
            "mirror.lab:8443/ocp/ocp-release:4.15@\(digest) (mirror)",
            "quay.io/openshift-release-dev/ocp-release:4.15@\(digest)",
        ], why: "a tag and a digest count as a digest reference"),
    .init(
        reference: "registry.redhat.io/ubi9/ubi:9.4",
        sources: [
            "tags.lab/rh/ubi9/ubi:9.4 (mirror)", "any.lab/rh/ubi9/ubi:9.4 (mirror)", "registry.redhat.io/ubi9/ubi:9.4",
        ], why: "a tag pull skips digest-only mirrors"),
    .init(
        reference: "registry.redhat.io/ubi9/ubi@\(digest)",
        sources: [
            "digests.lab/rh/ubi9/ubi@\(digest) (mirror)", "any.lab/rh/ubi9/ubi@\(digest) (mirror)",
            "registry.redhat.io/ubi9/ubi@\(digest)",
        ], why: "a digest pull skips tag-only mirrors"),
    .init(
        reference: "registry.redhat.io/ubi9/ubi:9.4@\(digest)",
        sources: [
            "digests.lab/rh/ubi9/ubi:9.4@\(digest) (mirror)", "any.lab/rh/ubi9/ubi:9.4@\(digest) (mirror)",
            "registry.redhat.io/ubi9/ubi:9.4@\(digest)",
        ], why: "tag-only mirrors skip a reference with both"),
    .init(
        reference: "localhost:5000/app:1", sources: ["localhost:5000/app:1 (insecure)"],
        why: "a location-only table is its own prefix"),
    .init(
        reference: "example.com/foo/image:latest",
        sources: [
            "example-mirror-0.local/mirror-for-foo/image:latest (mirror)",
            "example-mirror-1.local/mirrors/foo/image:latest (mirror) (insecure)",
            "internal-registry-for-example.com/bar/image:latest",
        ], why: "the man page's example"),
    .init(
        reference: "example.com/foobar/image:1", sources: ["example.com/foobar/image:1"],
        why: "prefixes match whole components"),
    .init(
        reference: "ghcr.io/owner/tool:1",
        sources: [
            "ghcr-cache.example.com/owner/tool:1 (mirror)", "ghcr.io/owner/tool:1",
        ], why: "a mirror under a blocked prefix is skipped"),
    .init(
        reference: "git.corp.example/team/app:2",
        sources: [
            "cache.corp.example/subdomains/team/app:2 (mirror) (insecure)", "git.corp.example/team/app:2 (insecure)",
        ], why: "a wildcard without location keeps the name; its mirror is under the wildcard too"),
    .init(
        reference: "a.b.corp.example:8443/x:1",
        sources: [
            "cache.corp.example/subdomains/x:1 (mirror) (insecure)", "a.b.corp.example:8443/x:1 (insecure)",
        ], why: "a wildcard covers any depth and any port"),
    .init(
        reference: "secure.corp.example/x:1", sources: ["secure.corp.example/x:1"],
        why: "a plain prefix beats a wildcard"),
    .init(
        reference: "corp.example/x:1", sources: ["corp.example/x:1"],
        why: "a wildcard does not cover the bare domain"),
    .init(
        reference: "registry.k8s.io/pause:3.9", sources: ["registry.k8s.io/pause:3.9"],
        why: "no table: the reference itself"),
]

@Suite struct RegistriesConfigurationResolutionTests {
    @Test(arguments: resolutions)
    func pullSources(resolution: RegistriesConfResolution) throws {
        let configuration = try RegistriesFixtures.parse("mirrors.conf")
        let sources = try configuration.pullSources(for: ImageReference(resolution.reference))
        #expect(sources.map(\.description) == resolution.sources)
    }

    @Test(arguments: ["untrusted.example.org/tools/x:1", "untrusted.example.org/y@\(digest)"])
    func aBlockedPrefixNamesTheReferenceThePrefixAndTheFile(reference: String) throws {
        let configuration = try RegistriesFixtures.parse("mirrors.conf")
        let error = #expect(throws: RegistriesConfigurationError.self) {
            _ = try configuration.pullSources(for: ImageReference(reference))
        }
        let message = error?.description ?? ""
        #expect(message.contains(try ImageReference(reference).description))
        #expect(message.contains("blocked by registries.conf"))
        #expect(message.contains("prefix \"untrusted.example.org\""))
        #expect(message.contains(RegistriesFixtures.path("mirrors.conf")))
    }

    @Test func whenEverySourceIsBlockedTheBlockingPrefixIsNamed() throws {
        let configuration = try RegistriesConfiguration(
            parsing: """
                [[registry]]
                prefix = "a.example.com"
                location = "b.example.com/a"
                [[registry]]
                location = "b.example.com"
                blocked = true
                """, file: "inline.conf")
        let error = #expect(throws: RegistriesConfigurationError.self) {
            _ = try configuration.pullSources(for: ImageReference("a.example.com/x:1"))
        }
        #expect(error == .blocked(reference: "a.example.com/x:1", prefix: "b.example.com", file: "inline.conf"))
    }

    @Test func aWildcardWithALocationReplacesTheWholeDomain() throws {
        let configuration = try RegistriesConfiguration(
            parsing: """
                [[registry]]
                prefix = "*.internal.example"
                location = "proxy.example.com/internal"
                """, file: "inline.conf")
        let sources = try configuration.pullSources(for: ImageReference("a.b.internal.example:5000/x/y:1"))
        #expect(sources == [PullSource(reference: try ImageReference("proxy.example.com/internal/x/y:1"))])
    }

    @Test func aRewriteThatBreaksTheNameSaysWhich() throws {
        let long = String(repeating: "n", count: 250)
        let configuration = try RegistriesConfiguration(
            parsing: """
                [[registry]]
                prefix = "docker.io"
                location = "mirror.example.com/\(long)"
                """, file: "inline.conf")
        let error = #expect(throws: RegistriesConfigurationError.self) {
            _ = try configuration.pullSources(for: ImageReference("busybox:1"))
        }
        #expect(error?.description.contains("maps docker.io/library/busybox:1 (prefix \"docker.io\") onto location \"mirror.example.com/nnn") == true)
    }

    @Test func aBareHostLocationForAWholeRepositoryIsRefusedNotSentToDockerHub() throws {
        let configuration = try RegistriesConfiguration(
            parsing: """
                [[registry]]
                prefix = "quay.io/openshift/cli"
                location = "mirror.lab"
                """, file: "inline.conf")
        let error = #expect(throws: RegistriesConfigurationError.self) {
            _ = try configuration.pullSources(for: ImageReference("quay.io/openshift/cli:4.15"))
        }
        #expect(error?.description.contains("prefix \"quay.io/openshift/cli\"") == true)
        #expect(error?.description.contains("leaves no repository name under mirror.lab") == true)
    }

    @Test func aLocationWithAPathKeepsItsHostAsTheRegistry() throws {
        let configuration = try RegistriesConfiguration(
            parsing: """
                [[registry]]
                prefix = "quay.io/openshift/cli"
                location = "mirror.lab/ocp"
                """, file: "inline.conf")
        let sources = try configuration.pullSources(for: ImageReference("quay.io/openshift/cli:4.15"))
        #expect(sources.map(\.reference.description) == ["mirror.lab/ocp:4.15"])
    }

    @Test(arguments: [
        ("localhost:5000", true),  // the table's own location
        ("mirror-b.example.com", true),  // an insecure mirror's host
        ("example-mirror-1.local", true),
        ("mirror-a.example.com:5000", false),
        ("git.corp.example", true),  // under the insecure wildcard
        ("cache.corp.example", true),
        ("secure.corp.example", false),  // its own, longer, prefix
        ("docker.io", false),
        ("quay.io", false),
    ])
    func insecureHosts(host: String, insecure: Bool) throws {
        #expect(try RegistriesFixtures.parse("mirrors.conf").isInsecure(host: host) == insecure)
    }

    /// Where the two overlap, registries.conf and `--mirror` rules give the same candidates.
    @Test(arguments: [
        "quay.io/openshift/cli:4.15", "quay.io/openshift/cli@\(digest)", "quay.io/other/x:1", "busybox:1.36",
    ])
    func agreesWithMirrorTable(reference: String) throws {
        let table = MirrorTable([
            MirrorRule(source: "quay.io/openshift", location: "first.lab/ocp"),
            MirrorRule(source: "quay.io/openshift", location: "second.lab/ocp"),
        ])
        let configuration = try RegistriesConfiguration(
            parsing: """
                [[registry]]
                location = "quay.io/openshift"
                [[registry.mirror]]
                location = "first.lab/ocp"
                [[registry.mirror]]
                location = "second.lab/ocp"
                """, file: "inline.conf")
        let parsed = try ImageReference(reference)
        let resolver: any PullSourceResolver = configuration
        #expect(try resolver.pullSources(for: parsed).map(\.reference) == table.candidates(for: parsed))
    }
}
