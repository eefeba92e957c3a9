import Testing

@testable import Registry

@Suite struct AuthFileKeyTests {
    @Test(arguments: [
        ("quay.io", "quay.io"),
        ("quay.io/", "quay.io"),
        ("quay.io/ns/repo", "quay.io/ns/repo"),
        ("https://quay.io", "quay.io"),
        ("https://index.docker.io/v1/", "docker.io"),
        ("index.docker.io", "docker.io"),
        ("registry-1.docker.io", "docker.io"),
        ("docker.io", "docker.io"),
        ("index.docker.io/library/busybox", "docker.io/library/busybox"),
        ("http://registry.example.com:5000/v2/", "registry.example.com:5000"),
        ("https://registry.example.com/v2", "registry.example.com"),
        ("registry.example.com/v1/", "registry.example.com"),
        ("  registry.example.com \n", "registry.example.com"),
        // Without a scheme or a trailing slash, `v2` may be a real namespace.
        ("registry.example.com/v2", "registry.example.com/v2"),
        ("localhost:5000", "localhost:5000"),
    ])
    func canonicalFormsMatchWhatPodmanWrites(key: String, expected: String) {
        #expect(AuthFileKey.canonical(key) == expected)
    }

    @Test(arguments: [
        ("registry.example.com", "team/app", ["registry.example.com/team/app", "registry.example.com/team", "registry.example.com"]),
        ("registry.example.com", "a/b/c/d", ["registry.example.com/a/b/c/d", "registry.example.com/a/b/c", "registry.example.com/a/b", "registry.example.com/a", "registry.example.com"]),
        ("quay.io", nil, ["quay.io"]),
        ("quay.io", "", ["quay.io"]),
        ("index.docker.io", "library/busybox", ["docker.io/library/busybox", "docker.io/library", "docker.io"]),
    ] as [(String, String?, [String])])
    func lookupGoesFromMostToLeastSpecific(host: String, repository: String?, expected: [String]) {
        #expect(AuthFileKey.lookupOrder(host: host, repository: repository) == expected)
    }

    @Test(arguments: [
        ("docker.io", "https://index.docker.io/v1/"),
        ("registry-1.docker.io", "https://index.docker.io/v1/"),
        ("quay.io", "quay.io"),
        ("registry.example.com:5000", "registry.example.com:5000"),
    ])
    func helpersAreAskedWithDockersServerURL(host: String, expected: String) {
        #expect(AuthFileKey.helperServerURL(forHost: host) == expected)
    }
}
