import OCI
import Registry
import Testing

// Docker Hub's API lives at registry-1.docker.io; every other registry answers at its own name.
@Test(arguments: [
    ("busybox", "registry-1.docker.io"),
    ("index.docker.io/library/busybox", "registry-1.docker.io"),
    ("quay.io/a/b", "quay.io"),
    ("localhost:5000/foo", "localhost:5000"),
    ("[::1]:5000/repo", "[::1]:5000"),
])
func hostServingARegistry(_ input: String, _ host: String) throws {
    #expect(RegistryEndpoint.host(serving: try ImageReference(input).domain) == host)
}

@Test(arguments: [
    ("registry-1.docker.io", "docker.io"),
    ("index.docker.io", "docker.io"),
    ("docker.io", "docker.io"),
    ("quay.io", "quay.io"),
])
func registryNamedByAHost(_ host: String, _ registry: String) {
    #expect(RegistryEndpoint.registry(named: host) == registry)
}
