import Foundation
import Testing

@testable import Registry

@Suite struct AuthFileSearchTests {
    /// The podman file at `~/.config/containers/auth.json`, docker's at `~/.docker/config.json`,
    /// and optionally the runtime file, whose host entry shadows the later files.
    static func machine(withRuntimeFile: Bool) throws -> (AuthScratchDirectory, AuthFileSearch) {
        let scratch = try AuthScratchDirectory()
        if withRuntimeFile { try scratch.install("runtime-auth.json", at: "run/containers/auth.json") }
        try scratch.install("podman-auth.json", at: "home/.config/containers/auth.json")
        try scratch.install("docker-config.json", at: "home/.docker/config.json")
        return (scratch, AuthFileSearch(locations: scratch.locations(), helperSearchPath: []))
    }

    /// (host, repository, username expected or nil for none, the file and key named as the source)
    @Test(arguments: [
        ("registry.example.com", "team/app", "fake-repo-user", "home/.config/containers/auth.json (key registry.example.com/team/app)"),
        ("registry.example.com", "team/app/sub", "fake-repo-user", "home/.config/containers/auth.json (key registry.example.com/team/app)"),
        ("registry.example.com", "team/other", "fake-ns-user", "home/.config/containers/auth.json (key registry.example.com/team)"),
        ("registry.example.com", "library/x", "fake-host-user", "home/.config/containers/auth.json (key registry.example.com)"),
        ("registry.example.com", nil, "fake-host-user", "home/.config/containers/auth.json (key registry.example.com)"),
        ("docker.io", "library/busybox", "fake-hub-user", "home/.config/containers/auth.json (key docker.io)"),
        ("quay.io", "ns/repo", "fake-colon-user", "home/.config/containers/auth.json (key quay.io)"),
        ("registry.example.com:5000", "team/app", "fake-5000-user", "home/.docker/config.json (key http://registry.example.com:5000/v2/)"),
        ("old.example.com", nil, "fake-old-user", "home/.docker/config.json (key old.example.com)"),
        ("token.example.com", nil, "fake-token-user", "home/.docker/config.json (key token.example.com)"),
        ("stored.example.com", nil, nil, nil),
        ("unknown.example.com", "a/b", nil, nil),
    ] as [(String, String?, String?, String?)])
    func findsTheMostSpecificKeyInTheFirstFileThatHasOne(host: String, repository: String?, username: String?, source: String?) async throws {
        let (scratch, search) = try Self.machine(withRuntimeFile: false)
        let found = try await search.credentials(forRegistry: host, repository: repository)
        #expect(found?.credentials.username == username)
        #expect(found?.source == source.map { scratch.root.path + "/" + $0 })
    }

    @Test func theFirstFileWithAMatchWinsOverAMoreSpecificKeyLater() async throws {
        let (scratch, search) = try Self.machine(withRuntimeFile: true)
        let found = try await search.credentials(forRegistry: "registry.example.com", repository: "team/app")
        #expect(found?.credentials == Credentials(username: "fake-runtime-user", password: "fake-runtime-password"))
        #expect(found?.source == scratch.path("run/containers/auth.json") + " (key registry.example.com)")
        // Registries the runtime file does not mention still come from the later files.
        #expect(try await search.credentials(forRegistry: "quay.io", repository: nil)?.credentials.username == "fake-colon-user")
    }

    @Test func dockerHubIsFoundUnderDockersURLKey() async throws {
        let scratch = try AuthScratchDirectory()
        try scratch.install("docker-config.json", at: "home/.docker/config.json")
        let search = AuthFileSearch(locations: scratch.locations(), helperSearchPath: [])
        for host in ["docker.io", "index.docker.io", "registry-1.docker.io"] {
            let found = try await search.credentials(forRegistry: host, repository: "library/busybox")
            #expect(found?.credentials == Credentials(username: "fake-legacy-user", password: "fake-legacy-password"))
            #expect(found?.source.hasSuffix("(key https://index.docker.io/v1/)") == true)
        }
    }

    @Test func anExplicitFileIsTheOnlyFileRead() async throws {
        let (scratch, _) = try Self.machine(withRuntimeFile: true)
        let docker = scratch.path("home/.docker/config.json")
        for locations in [scratch.locations(authFile: docker), scratch.locations(registryAuthFile: docker)] {
            #expect(locations.searchPaths == [docker])
            let search = AuthFileSearch(locations: locations, helperSearchPath: [])
            #expect(try await search.credentials(forRegistry: "registry.example.com", repository: "team/app") == nil)
            #expect(try await search.credentials(forRegistry: "old.example.com", repository: nil)?.credentials.username == "fake-old-user")
        }
        // --authfile beats $REGISTRY_AUTH_FILE.
        let both = scratch.locations(authFile: docker, registryAuthFile: scratch.path("run/containers/auth.json"))
        #expect(both.searchPaths == [docker] && both.writePath == docker)
    }

    @Test func aMissingExplicitFileIsAnError() async throws {
        let scratch = try AuthScratchDirectory()
        let search = AuthFileSearch(locations: scratch.locations(authFile: scratch.path("typo.json")), helperSearchPath: [])
        let error = await #expect(throws: AuthFileError.self) { _ = try await search.credentials(forRegistry: "quay.io", repository: nil) }
        #expect(error?.description.contains(scratch.path("typo.json")) == true)
    }

    @Test func helpersInCredHelpersOverrideTheFilesAuthsEntry() async throws {
        let scratch = try AuthScratchDirectory()
        try scratch.install("credhelpers-config.json", at: "home/.docker/config.json")
        let search = AuthFileSearch(locations: scratch.locations(), helperSearchPath: try FakeHelper.install(FakeHelper.keyring, in: scratch))

        let helped = try await search.credentials(forRegistry: "registry.example.com", repository: "team/app")
        #expect(helped == ResolvedCredentials(
            credentials: Credentials(username: "fake-helper-user", password: "fake-helper-secret"),
            source: "credential helper docker-credential-testfake"))
        #expect(try String(contentsOfFile: scratch.path("bin/helper-stdin.txt"), encoding: .utf8) == "registry.example.com")

        // `index.docker.io` in credHelpers serves docker.io, asked under docker's URL.
        let hub = try await search.credentials(forRegistry: "docker.io", repository: "library/busybox")
        #expect(hub?.credentials == Credentials(username: "", password: "", identityToken: "fake-helper-identity-token"))
        #expect(try String(contentsOfFile: scratch.path("bin/helper-stdin.txt"), encoding: .utf8) == "https://index.docker.io/v1/")

        let plain = try await search.credentials(forRegistry: "quay.io", repository: nil)
        #expect(plain?.source == scratch.path("home/.docker/config.json") + " (key quay.io)")
    }

    @Test func aHelperWithoutCredentialsSendsTheSearchToTheNextFile() async throws {
        let scratch = try AuthScratchDirectory()
        try scratch.write(#"{"credHelpers": {"quay.io": "testfake"}}"#, at: "run/containers/auth.json")
        try scratch.install("podman-auth.json", at: "home/.config/containers/auth.json")
        let search = AuthFileSearch(locations: scratch.locations(), helperSearchPath: try FakeHelper.install(FakeHelper.keyring, in: scratch))
        let found = try await search.credentials(forRegistry: "quay.io", repository: nil)
        #expect(found?.source == scratch.path("home/.config/containers/auth.json") + " (key quay.io)")
    }

    @Test func credsStoreAnswersWhatAuthsDoesNot() async throws {
        let scratch = try AuthScratchDirectory()
        try scratch.install("credsstore-config.json", at: "home/.docker/config.json")
        let search = AuthFileSearch(locations: scratch.locations(), helperSearchPath: try FakeHelper.install(FakeHelper.keyring, in: scratch))

        #expect(try await search.credentials(forRegistry: "quay.io", repository: nil)?.source == scratch.path("home/.docker/config.json") + " (key quay.io)")
        let stored = try await search.credentials(forRegistry: "stored.example.com", repository: nil)
        #expect(stored?.credentials.username == "fake-helper-user")
        #expect(stored?.source == "credential helper docker-credential-testfake")
        #expect(try await search.credentials(forRegistry: "docker.io", repository: "library/busybox")?.credentials.identityToken == "fake-helper-identity-token")
        #expect(try await search.credentials(forRegistry: "unknown.example.com", repository: nil) == nil)
    }

    @Test func aConfiguredHelperThatIsNotInstalledIsAnError() async throws {
        let scratch = try AuthScratchDirectory()
        try scratch.install("credhelpers-config.json", at: "home/.docker/config.json")
        let search = AuthFileSearch(locations: scratch.locations(), helperSearchPath: [scratch.path("bin")])
        let error = await #expect(throws: CredentialHelperError.self) {
            _ = try await search.credentials(forRegistry: "registry.example.com", repository: nil)
        }
        #expect(error == .notFound(helper: "docker-credential-testfake", searched: [scratch.path("bin")]))
        #expect(error?.description.contains("docker-credential-testfake not found") == true)
    }
}
