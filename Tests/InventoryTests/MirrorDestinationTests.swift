import Inventory
import OCI
import Testing

// `--to REGISTRY[/PREFIX]`: DEST/path-without-registry:tag.

@Test(arguments: [
    ("registry.example.com/mirror", "docker.io/library/busybox:1.29", "registry.example.com/mirror/library/busybox:1.29"),
    ("registry.example.com", "busybox:1.29", "registry.example.com/library/busybox:1.29"),
    ("registry.example.com:5000/a/b/", "k8s.gcr.io/pause:3.2", "registry.example.com:5000/a/b/pause:3.2"),
    (
        "localhost:5000", "us.gcr.io/k8s-artifacts-prod/e2e-test-images/agnhost:2.20",
        "localhost:5000/k8s-artifacts-prod/e2e-test-images/agnhost:2.20"
    ),
    ("localhost", "quay.io/a/b", "localhost/a/b:latest"),
    ("[::1]:5000/m", "quay.io/a/b:1", "[::1]:5000/m/a/b:1"),
    (
        "registry.example.com/m", "quay.io/a/b@sha256:\(hex("x"))",
        "registry.example.com/m/a/b"  // digest only: pushed by digest, no tag
    ),
    ("registry.example.com/m", "quay.io/a/b:1@sha256:\(hex("x"))", "registry.example.com/m/a/b:1"),
])
func destinations(_ to: String, _ source: String, _ destination: String) throws {
    let target = try MirrorDestination(to)
    #expect(target.mappingTarget(for: reference(source)) == destination)
    #expect(target.mapping([reference(source)]) == "\(reference(source))=\(destination)\n")
}

@Test(arguments: [
    ("mirror", MirrorDestinationError.notARegistry("mirror")),
    ("mirror/x", .notARegistry("mirror/x")),
    ("", .notARegistry("")),
    ("/registry.example.com", .notARegistry("/registry.example.com")),
])
func refusesWhatIsNotARegistry(_ to: String, _ error: MirrorDestinationError) {
    #expect(throws: error) { try MirrorDestination(to) }
}

@Test(arguments: ["registry.example.com/Mirror", "registry.example.com/m:1", "registry.example.com/m@sha256:1", "a..b/x"])
func refusesInvalidPaths(_ to: String) {
    #expect(throws: MirrorDestinationError.self) { try MirrorDestination(to) }
}

@Test func describesItself() throws {
    #expect(try MirrorDestination("registry.example.com:5000/a/b//").description == "registry.example.com:5000/a/b")
    #expect(try MirrorDestination("registry.example.com").prefix == "")
    #expect(MirrorDestinationError.notARegistry("x").description.hasPrefix("\"x\" is not a registry host"))
}

@Test func findsSourcesThatWouldCollide() throws {
    let target = try MirrorDestination("registry.example.com/m")
    let sources = references("docker.io/e2e/x:1", "quay.io/e2e/x:1", "quay.io/e2e/y:1")
    let collisions = target.collisions(sources)
    #expect(collisions.count == 1)
    #expect(collisions.first?.destination == "registry.example.com/m/e2e/x:1")
    #expect(collisions.first?.sources.count == 2)
}
