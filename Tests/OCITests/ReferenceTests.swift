import Foundation
import OCI
import Testing

// Expected values follow distribution/reference (normalize_test.go, reference_test.go), the
// parser docker, podman, containerd and skopeo share.

private let hex = "7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa"
private let dgst = "sha256:\(hex)"

struct ValidReference: Sendable, CustomTestStringConvertible {
    var input: String
    var domain: String
    var path: String
    var tag: String?
    var digest: String?
    var full: String
    var familiar: String
    var testDescription: String { input.count > 60 ? "\(input.prefix(40))…(\(input.count))" : input }

    init(
        _ input: String, _ domain: String, _ path: String, tag: String? = "latest", digest: String? = nil,
        full: String, familiar: String
    ) {
        (self.input, self.domain, self.path, self.tag, self.digest) = (input, domain, path, tag, digest)
        (self.full, self.familiar) = (full, familiar)
    }
}

private let longTag = String(repeating: "t", count: 128)
private let path255 = String(repeating: "a", count: 255)
private let name247 = String(repeating: "b", count: 247)

private let validReferences: [ValidReference] = [
    .init("busybox", "docker.io", "library/busybox",
          full: "docker.io/library/busybox:latest", familiar: "busybox:latest"),
    .init("busybox:1.29", "docker.io", "library/busybox", tag: "1.29",
          full: "docker.io/library/busybox:1.29", familiar: "busybox:1.29"),
    .init("library/busybox", "docker.io", "library/busybox",
          full: "docker.io/library/busybox:latest", familiar: "busybox:latest"),
    .init("docker.io/busybox", "docker.io", "library/busybox",
          full: "docker.io/library/busybox:latest", familiar: "busybox:latest"),
    .init("docker.io/library/busybox:1.29", "docker.io", "library/busybox", tag: "1.29",
          full: "docker.io/library/busybox:1.29", familiar: "busybox:1.29"),
    .init("index.docker.io/library/busybox:1.29", "docker.io", "library/busybox", tag: "1.29",
          full: "docker.io/library/busybox:1.29", familiar: "busybox:1.29"),
    .init("index.docker.io/busybox", "docker.io", "library/busybox",
          full: "docker.io/library/busybox:latest", familiar: "busybox:latest"),
    .init("bitnami/redis:7.2", "docker.io", "bitnami/redis", tag: "7.2",
          full: "docker.io/bitnami/redis:7.2", familiar: "bitnami/redis:7.2"),
    .init("docker.io/library/foo/bar", "docker.io", "library/foo/bar",
          full: "docker.io/library/foo/bar:latest", familiar: "library/foo/bar:latest"),
    .init("docker.io/other/library", "docker.io", "other/library",
          full: "docker.io/other/library:latest", familiar: "other/library:latest"),
    .init("localhost/foo", "localhost", "foo",
          full: "localhost/foo:latest", familiar: "localhost/foo:latest"),
    .init("localhost/library/foo", "localhost", "library/foo",
          full: "localhost/library/foo:latest", familiar: "localhost/library/foo:latest"),
    .init("localhost:5000/foo/bar:tag", "localhost:5000", "foo/bar", tag: "tag",
          full: "localhost:5000/foo/bar:tag", familiar: "localhost:5000/foo/bar:tag"),
    .init("localhost", "docker.io", "library/localhost",
          full: "docker.io/library/localhost:latest", familiar: "localhost:latest"),
    .init("127.0.0.1:5000/a/b", "127.0.0.1:5000", "a/b",
          full: "127.0.0.1:5000/a/b:latest", familiar: "127.0.0.1:5000/a/b:latest"),
    .init("192.168.0.1", "docker.io", "library/192.168.0.1",
          full: "docker.io/library/192.168.0.1:latest", familiar: "192.168.0.1:latest"),
    .init("192.168.0.1:80", "docker.io", "library/192.168.0.1", tag: "80",
          full: "docker.io/library/192.168.0.1:80", familiar: "192.168.0.1:80"),
    .init("[::1]:5000/repo", "[::1]:5000", "repo",
          full: "[::1]:5000/repo:latest", familiar: "[::1]:5000/repo:latest"),
    .init("[::1]/repo", "[::1]", "repo", full: "[::1]/repo:latest", familiar: "[::1]/repo:latest"),
    .init("[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian",
          full: "[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest",
          familiar: "[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest"),
    .init("registry.k8s.io/e2e-test-images/agnhost:2.20", "registry.k8s.io", "e2e-test-images/agnhost",
          tag: "2.20", full: "registry.k8s.io/e2e-test-images/agnhost:2.20",
          familiar: "registry.k8s.io/e2e-test-images/agnhost:2.20"),
    .init("us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20", "us.gcr.io",
          "k8s-artifacts-prod/e2e-test-images/agnhost", tag: "2.20",
          full: "us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20",
          familiar: "us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20"),
    .init("quay.io/a/b@\(dgst)", "quay.io", "a/b", tag: nil, digest: dgst,
          full: "quay.io/a/b@\(dgst)", familiar: "quay.io/a/b@\(dgst)"),
    .init("name:tag@\(dgst)", "docker.io", "library/name", tag: "tag", digest: dgst,
          full: "docker.io/library/name:tag@\(dgst)", familiar: "name:tag@\(dgst)"),
    .init("busybox@\(dgst)", "docker.io", "library/busybox", tag: nil, digest: dgst,
          full: "docker.io/library/busybox@\(dgst)", familiar: "busybox@\(dgst)"),
    .init("registry.example.com:443/team/app@\(dgst)", "registry.example.com:443", "team/app",
          tag: nil, digest: dgst, full: "registry.example.com:443/team/app@\(dgst)",
          familiar: "registry.example.com:443/team/app@\(dgst)"),
    .init("foo/bar_baz", "docker.io", "foo/bar_baz",
          full: "docker.io/foo/bar_baz:latest", familiar: "foo/bar_baz:latest"),
    .init("a__b", "docker.io", "library/a__b", full: "docker.io/library/a__b:latest", familiar: "a__b:latest"),
    .init("a---b", "docker.io", "library/a---b", full: "docker.io/library/a---b:latest", familiar: "a---b:latest"),
    .init("a.b-c.d/e_f.g", "a.b-c.d", "e_f.g", full: "a.b-c.d/e_f.g:latest", familiar: "a.b-c.d/e_f.g:latest"),
    .init("dock__er/docker", "docker.io", "dock__er/docker",
          full: "docker.io/dock__er/docker:latest", familiar: "dock__er/docker:latest"),
    .init("docker---rules/docker", "docker.io", "docker---rules/docker",
          full: "docker.io/docker---rules/docker:latest", familiar: "docker---rules/docker:latest"),
    .init("jess/t", "docker.io", "jess/t", full: "docker.io/jess/t:latest", familiar: "jess/t:latest"),
    .init("test_com/foo", "docker.io", "test_com/foo",
          full: "docker.io/test_com/foo:latest", familiar: "test_com/foo:latest"),
    .init("test-com:8080/foo", "test-com:8080", "foo",
          full: "test-com:8080/foo:latest", familiar: "test-com:8080/foo:latest"),
    .init("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo",
          full: "xn--n3h.com:18080/foo:latest", familiar: "xn--n3h.com:18080/foo:latest"),
    // An uppercase first component cannot be a path, so distribution takes it as a domain.
    .init("UPPER/case", "UPPER", "case", full: "UPPER/case:latest", familiar: "UPPER/case:latest"),
    .init("MyRegistry:5000/app:v1", "MyRegistry:5000", "app", tag: "v1",
          full: "MyRegistry:5000/app:v1", familiar: "MyRegistry:5000/app:v1"),
    .init("ghcr.io/owner/repo/sub/path:v1.2.3", "ghcr.io", "owner/repo/sub/path", tag: "v1.2.3",
          full: "ghcr.io/owner/repo/sub/path:v1.2.3", familiar: "ghcr.io/owner/repo/sub/path:v1.2.3"),
    .init("nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04", "nvcr.io", "nvidia/cuda", tag: "12.4.1-base-ubuntu22.04",
          full: "nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04", familiar: "nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04"),
    .init("mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com", "windows/servercore",
          tag: "ltsc2022", full: "mcr.microsoft.com/windows/servercore:ltsc2022",
          familiar: "mcr.microsoft.com/windows/servercore:ltsc2022"),
    .init("busybox:Latest_V1.0", "docker.io", "library/busybox", tag: "Latest_V1.0",
          full: "docker.io/library/busybox:Latest_V1.0", familiar: "busybox:Latest_V1.0"),
    .init("foo:_bar", "docker.io", "library/foo", tag: "_bar",
          full: "docker.io/library/foo:_bar", familiar: "foo:_bar"),
    .init("foo:\(longTag)", "docker.io", "library/foo", tag: longTag,
          full: "docker.io/library/foo:\(longTag)", familiar: "foo:\(longTag)"),
    // With a domain, a 64-hex name is no longer ambiguous with an image ID.
    .init("docker.io/\(hex)", "docker.io", "library/\(hex)",
          full: "docker.io/library/\(hex):latest", familiar: "\(hex):latest"),
    .init(String(hex.dropLast()), "docker.io", "library/\(hex.dropLast())",
          full: "docker.io/library/\(hex.dropLast()):latest", familiar: "\(hex.dropLast()):latest"),
    // 255 is the limit on the path alone; the domain does not count.
    .init("example.com/\(path255)", "example.com", path255,
          full: "example.com/\(path255):latest", familiar: "example.com/\(path255):latest"),
    .init(name247, "docker.io", "library/\(name247)",
          full: "docker.io/library/\(name247):latest", familiar: "\(name247):latest"),
]

@Test(arguments: validReferences)
func parsesValidReference(_ c: ValidReference) throws {
    let ref = try ImageReference(c.input)
    #expect(ref.domain == c.domain)
    #expect(ref.repository.value == c.path)
    #expect(ref.tag?.value == c.tag)
    #expect(ref.digest?.description == c.digest)
    #expect(ref.description == c.full)
    #expect(ref.familiar == c.familiar)
    #expect(ref.name == "\(c.domain)/\(c.path)")
    // The full form is canonical: parsing it again gives the same reference.
    #expect(try ImageReference(ref.description) == ref)
}

@Test func validTableIsLargeEnough() {
    #expect(validReferences.count >= 40)
}

struct InvalidReference: Sendable, CustomTestStringConvertible {
    var input: String
    var error: ReferenceError
    var testDescription: String { input.count > 60 ? "\(input.prefix(40))…(\(input.count))" : "\"\(input)\"" }

    init(_ input: String, _ error: (String) -> ReferenceError) {
        self.input = input
        self.error = error(input)
    }
}

private let md5 = "md5:" + String(hex.prefix(32))
private let sha512 = "sha512:" + hex + hex
private let id64 = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"

private let invalidReferences: [InvalidReference] = [
    .init("") { _ in .empty },
    .init(id64) { .ambiguousIdentifier($0) },
    .init("Uppercase") { .uppercaseRepository("Uppercase", reference: $0) },
    .init("docker/Docker") { .uppercaseRepository("docker/Docker", reference: $0) },
    .init("docker.io/library/BusyBox:1.29") { .uppercaseRepository("library/BusyBox", reference: $0) },
    .init("localhost:5000/Foo/bar") { .uppercaseRepository("Foo/bar", reference: $0) },
    .init("-leading") { .invalidPathComponent("-leading", reference: $0) },
    .init("trailing-") { .invalidPathComponent("trailing-", reference: $0) },
    .init("a..b") { .invalidPathComponent("a..b", reference: $0) },
    .init("a/ /b") { .invalidPathComponent(" ", reference: $0) },
    .init("-docker/docker") { .invalidPathComponent("-docker", reference: $0) },
    .init("docker-/docker") { .invalidPathComponent("docker-", reference: $0) },
    .init("____/____") { .invalidPathComponent("____", reference: $0) },
    .init("_docker/_docker") { .invalidPathComponent("_docker", reference: $0) },
    // A "." makes the first component a domain, and "_" is not allowed in one.
    .init("dock_.er/docker") { .invalidDomain("dock_.er", reference: $0) },
    .init("docker/dock_.er") { .invalidPathComponent("dock_.er", reference: $0) },
    .init("docker/dock-.er") { .invalidPathComponent("dock-.er", reference: $0) },
    .init("a___b") { .invalidPathComponent("a___b", reference: $0) },
    .init("docker///docker") { .invalidPathComponent("", reference: $0) },
    .init("docker/") { .invalidPathComponent("", reference: $0) },
    .init("/docker") { .invalidPathComponent("", reference: $0) },
    .init("[::1]:5000") { .invalidPathComponent("[", reference: $0) },
    .init(":tag-only") { .missingRepository(reference: $0) },
    .init("@\(dgst)") { .missingRepository(reference: $0) },
    .init("localhost:5000/") { .missingRepository(reference: $0) },
    .init("-docker.io/docker/docker") { .invalidDomain("-docker.io", reference: $0) },
    .init("a.b-c_d/f") { .invalidDomain("a.b-c_d", reference: $0) },
    .init("https://github.com/docker/docker") { .invalidDomain("https:", reference: $0) },
    .init("example.com:port/app") { .invalidDomain("example.com:port", reference: $0) },
    .init("example..com/app") { .invalidDomain("example..com", reference: $0) },
    .init("fc00::1:5000/debian") { .invalidDomain("fc00::1:5000", reference: $0) },
    .init("[fe80::1%eth0]:5000/debian") { .invalidDomain("[fe80::1%eth0]:5000", reference: $0) },
    .init("[2001:db8:3:4::192.0.2.33]:5000/debian") {
        .invalidDomain("[2001:db8:3:4::192.0.2.33]:5000", reference: $0)
    },
    .init("[::1]x/repo") { .invalidDomain("[::1]x", reference: $0) },
    .init("name:") { .invalidTag("", reference: $0) },
    .init("name:-tag") { .invalidTag("-tag", reference: $0) },
    .init("name:.tag") { .invalidTag(".tag", reference: $0) },
    .init("name:tag:extra") { .invalidTag("tag:extra", reference: $0) },
    .init("busybox:1.29 ") { .invalidTag("1.29 ", reference: $0) },
    .init("name:\(longTag)x") { .invalidTag(longTag + "x", reference: $0) },
    .init(String(repeating: "n", count: 256)) { .nameTooLong(length: 264, limit: 255, reference: $0) },
    .init("b\(name247)") { .nameTooLong(length: 256, limit: 255, reference: $0) },
    .init("example.com/\(path255)a") { .nameTooLong(length: 256, limit: 255, reference: $0) },
    .init("name@sha256:short") { .invalidDigest(.invalidSHA256("sha256:short"), reference: $0) },
    .init("name@sha256:\(hex.uppercased())") {
        .invalidDigest(.invalidSHA256("sha256:\(hex.uppercased())"), reference: $0)
    },
    .init("name@\(md5)") { .invalidDigest(.unsupportedAlgorithm("md5", digest: md5), reference: $0) },
    .init("name@\(sha512)") { .invalidDigest(.unsupportedAlgorithm("sha512", digest: sha512), reference: $0) },
    .init("name@") { .invalidDigest(.empty, reference: $0) },
    .init("name@\(hex)") { .invalidDigest(.missingSeparator(hex), reference: $0) },
    .init("name@@\(dgst)") { .unexpectedTrailing("@\(dgst)", reference: $0) },
    .init("name@\(dgst)@\(dgst)") { .unexpectedTrailing("@\(dgst)", reference: $0) },
]

@Test(arguments: invalidReferences)
func refusesInvalidReference(_ c: InvalidReference) {
    #expect(throws: c.error) { try ImageReference(c.input) }
}

@Test(arguments: invalidReferences)
func errorMessageNamesTheInput(_ c: InvalidReference) {
    let message = c.error.description
    #expect(message.contains(c.input.isEmpty ? "empty" : "\"\(c.input)\""))
    #expect(c.error.errorDescription == message)
}

@Test func errorMessagesSayWhy() {
    #expect(ReferenceError.uppercaseRepository("Foo", reference: "Foo").description
        .contains("repository names must be lowercase"))
    #expect(ReferenceError.invalidTag("-x", reference: "a:-x").description.contains("128"))
    #expect(ReferenceError.nameTooLong(length: 300, limit: 255, reference: "x").description
        .contains("300 characters"))
    #expect(ReferenceError.invalidDigest(.unsupportedAlgorithm("md5", digest: md5), reference: "a@\(md5)")
        .description.contains("airgap verifies sha256 only"))
}

// MARK: - Derived forms

@Test func tagImpliedOnlyWithoutTagAndDigest() throws {
    let bare = try ImageReference("busybox")
    let tagged = try ImageReference("busybox:latest")
    let pinned = try ImageReference("busybox@\(dgst)")
    #expect(bare.isTagImplied)
    #expect(!tagged.isTagImplied)
    #expect(!pinned.isTagImplied && pinned.tag == nil)
    // Same image either way: equality and hashing ignore how the tag came about.
    #expect(bare == tagged)
    #expect(Set([bare, tagged]).count == 1)
}

@Test func manifestAndPinnedReferences() throws {
    let tagged = try ImageReference("quay.io/a/b:v1")
    #expect(tagged.manifestReference == "v1")
    #expect(tagged.pinnedReference == nil)
    let both = try ImageReference("quay.io/a/b:v1@\(dgst)")
    #expect(both.manifestReference == dgst)
    #expect(both.pinnedReference == "quay.io/a/b@\(dgst)")
}

@Test func withTagAndWithDigest() throws {
    let digest = try Digest(dgst)
    let bare = try ImageReference("busybox")
    #expect(bare.withDigest(digest).description == "docker.io/library/busybox@\(dgst)")
    let tagged = try ImageReference("busybox:1.29")
    #expect(tagged.withDigest(digest).description == "docker.io/library/busybox:1.29@\(dgst)")
    let retagged = try tagged.withDigest(digest).withTag(ImageReference.Tag("1.36"))
    #expect(retagged.description == "docker.io/library/busybox:1.36@\(dgst)")
    #expect(!retagged.isTagImplied)
}

@Test func buildsFromPartsWithTheSameNormalization() throws {
    let ref = try ImageReference(domain: "index.docker.io", repository: .init("busybox"))
    #expect(ref.description == "docker.io/library/busybox:latest")
    #expect(ref.isTagImplied)
    let other = try ImageReference(domain: "registry.k8s.io", repository: .init("pause"), tag: .init("3.9"))
    #expect(other.description == "registry.k8s.io/pause:3.9")
    #expect(throws: ReferenceError.invalidDomain("bad_host", reference: "bad_host")) {
        try ImageReference(domain: "bad_host", repository: .init("x"))
    }
}

@Test func componentsValidateOnTheirOwn() throws {
    #expect(try ImageReference.Repository("e2e-test-images/agnhost").components == ["e2e-test-images", "agnhost"])
    #expect(throws: ReferenceError.uppercaseRepository("Busy", reference: "Busy")) {
        try ImageReference.Repository("Busy")
    }
    #expect(try ImageReference.Tag("v1.0_rc-1").value == "v1.0_rc-1")
    #expect(throws: ReferenceError.invalidTag("", reference: "")) { try ImageReference.Tag("") }
}

@Test func codableAsTheFullString() throws {
    let refs = try ["busybox", "quay.io/a/b:v1@\(dgst)", "[::1]:5000/repo"].map(ImageReference.init)
    let data = try JSONEncoder().encode(refs)
    let strings = try JSONDecoder().decode([String].self, from: data)
    #expect(strings == refs.map(\.description))
    #expect(try JSONDecoder().decode([ImageReference].self, from: data) == refs)
    #expect(throws: DecodingError.self) {
        try JSONDecoder().decode([ImageReference].self, from: Data(#"["Bad Name"]"#.utf8))
    }
}
