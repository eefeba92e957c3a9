import Foundation
import OCI
import Registry
import TestSupport
import Testing

@testable import airgap

/// `[REGISTRY=]USER[:PASS]` from the command line, and where each credential may go.
@Suite struct CredentialSpecTests {
    @Test(arguments: [
        ("fakeuser:fakepassword", nil, "fakeuser", "fakepassword"),
        ("fakeuser:fake:pass:word", nil, "fakeuser", "fake:pass:word"),
        ("fakeuser:", nil, "fakeuser", ""),
        ("fakeuser", nil, "fakeuser", nil),
        ("fake@example.com:fake pass", nil, "fake@example.com", "fake pass"),
        // What stands before the first `=` is a registry only when it looks like one.
        ("fakeuser:pa=ss", nil, "fakeuser", "pa=ss"),
        ("fake=user:pass", nil, "fake=user", "pass"),
        ("quay.io=fakeuser:fakepassword", "quay.io", "fakeuser", "fakepassword"),
        ("127.0.0.1:5000=fakeuser:a=b", "127.0.0.1:5000", "fakeuser", "a=b"),
        ("localhost=fakeuser", "localhost", "fakeuser", nil),
        ("registry-1.docker.io=fakeuser:x", "docker.io", "fakeuser", "x"),
    ] as [(String, String?, String, String?)])
    func aCredentialSplitsIntoRegistryUserAndPassword(text: String, registry: String?, username: String, password: String?) throws {
        let spec = try CredentialSpec(parsing: text)
        #expect(spec.registry == registry)
        #expect(spec.username == username)
        #expect(spec.password == password)
    }

    @Test(arguments: [
        ("", CredentialOptionsError.empty),
        (":fakepassword", .emptyUsername),
        (":fake:pass:word", .emptyUsername),
        ("quay.io=", .empty),
        ("quay.io=:fakepassword", .emptyUsername),
    ])
    func unusableCredentialsAreRefusedWithoutRepeatingThem(text: String, expected: CredentialOptionsError) {
        let error = #expect(throws: CredentialOptionsError.self) { _ = try CredentialSpec(parsing: text) }
        #expect(error == expected)
        expectNoSecret(error, ["fakepassword", "fake:pass:word"])
    }

    @Test func aMissingPasswordIsAskedForNamingTheRegistry() throws {
        let asked = PromptLog()
        let credentials = try CredentialSpec(parsing: "quay.io=fakeuser").credentials { prompt in
            asked.record(prompt)
            return "fake-prompted-password"
        }
        #expect(credentials == Credentials(username: "fakeuser", password: "fake-prompted-password"))
        #expect(asked.prompts == ["Password for fakeuser@quay.io: "])
    }

    @Test func aMissingPasswordWithoutATerminalIsAnError() throws {
        let spec = try CredentialSpec(parsing: "fakeuser")
        let noPrompt = #expect(throws: CredentialOptionsError.self) { _ = try spec.credentials(promptPassword: nil) }
        let noTerminal = #expect(throws: CredentialOptionsError.self) { _ = try spec.credentials { _ in nil } }
        #expect(noPrompt == .passwordNeedsTerminal && noTerminal == .passwordNeedsTerminal)
    }

    @Test func aSpecNeverPrintsItsPassword() throws {
        let spec = try CredentialSpec(parsing: "quay.io=fakeuser:fakepassword")
        for text in ["\(spec)", String(reflecting: spec)] {
            #expect(!text.contains("fakepassword") && text.contains("quay.io"), "\(text)")
        }
    }

    // MARK: - Where they go

    @Test func aQualifiedCredentialAnswersForItsRegistryAlone() async throws {
        let provider = try CommandLineCredentials(
            [try CredentialSpec(parsing: "a.example=alice:fakepassword")], flag: "--creds", registries: ["a.example", "b.example"],
            unqualifiedScope: nil, promptPassword: nil)
        #expect(try await provider.credentials(forRegistry: "a.example", repository: nil)?.credentials.username == "alice")
        #expect(try await provider.credentials(forRegistry: "b.example", repository: nil) == nil)
    }

    @Test func anUnqualifiedCredentialForSeveralRegistriesIsRefused() {
        let error = #expect(throws: CredentialOptionsError.self) {
            _ = try CommandLineCredentials(
                [try CredentialSpec(parsing: "alice:fakepassword")], flag: "--creds", registries: ["a.example", "b.example"],
                unqualifiedScope: nil, promptPassword: nil)
        }
        #expect(error?.description.contains("--creds REGISTRY=USER:PASS") == true)
        #expect(error?.description.contains("airgap login") == true)
        expectNoSecret(error, ["fakepassword"])
    }

    @Test func anUnqualifiedCredentialGoesToItsScopeOnly() async throws {
        let provider = try CommandLineCredentials(
            [try CredentialSpec(parsing: "alice:fakepassword")], flag: "--src-creds", registries: ["a.example", "mirror.example"],
            unqualifiedScope: ["a.example"], promptPassword: nil)
        #expect(try await provider.credentials(forRegistry: "a.example", repository: nil)?.source == "--src-creds")
        #expect(try await provider.credentials(forRegistry: "mirror.example", repository: nil) == nil)
    }

    @Test func aCredentialForARegistryTheCommandNeverContactsIsRefused() {
        #expect(throws: CredentialOptionsError.unusedRegistry(flag: "--creds", registry: "c.example", registries: ["a.example"])) {
            _ = try CommandLineCredentials(
                [try CredentialSpec(parsing: "c.example=alice:fakepassword")], flag: "--creds", registries: ["a.example"],
                unqualifiedScope: ["a.example"], promptPassword: nil)
        }
    }

    @Test func commandLineCredentialsComeBeforeTheAuthFiles() async throws {
        let file = try AuthFixtureCopy("podman-auth.json")
        let chain = ChainedCredentialProvider([
            try CommandLineCredentials(
                [try CredentialSpec(parsing: "quay.io=fakeuser:fake:pass:word")], flag: "--creds", registries: ["quay.io"],
                unqualifiedScope: nil, promptPassword: nil),
            AuthFileSearch(locations: .current(authFile: file.path), helperSearchPath: []),
        ])
        #expect(try await chain.credentials(forRegistry: "quay.io", repository: nil) == ResolvedCredentials(
            credentials: Credentials(username: "fakeuser", password: "fake:pass:word"), source: "--creds quay.io="))
        #expect(try await chain.credentials(forRegistry: "registry.example.com", repository: nil)?.source == "\(file.path) (key registry.example.com)")
    }

    @Test func theChainAsksInOrderUntilOneAnswers() async throws {
        let first = FixedCredentials(Credentials(username: "fake-first", password: "fake-first-password"), source: "first")
        let chain = ChainedCredentialProvider([NoCredentials(), first, FixedCredentials(Credentials(username: "fake-second", password: "x"), source: "second")])
        #expect(try await chain.credentials(forRegistry: "quay.io", repository: nil)?.source == "first")
        #expect(try await ChainedCredentialProvider([NoCredentials()]).credentials(forRegistry: "quay.io", repository: nil) == nil)
    }

    @Test(arguments: [
        (["busybox:1.29"], [String](), ["docker.io"], ["docker.io"]),
        (["busybox:1.29", "quay.io/a/b:1"], ["docker.io=lab.example:5000"], ["docker.io", "quay.io"], ["quay.io", "lab.example:5000"]),
        (["quay.io/a/b:1"], ["quay.io/a=lab.example/q"], ["quay.io"], ["lab.example"]),
    ])
    func pullsNameTheirRegistriesButNotTheOneBehindAMirrorRule(references: [String], rules: [String], referenced: [String], named: [String]) throws {
        let hosts = PullHosts(try references.map { try ImageReference($0) }, mirrors: MirrorTable(try rules.map { try MirrorRule(parsing: $0) }))
        #expect(hosts.referenced == Set(referenced))
        #expect(hosts.named == Set(named))
    }
}

/// What a prompt closure was asked, from whichever thread asked.
final class PromptLog: @unchecked Sendable {
    private let lock = NSLock()
    private var asked: [String] = []
    var prompts: [String] { lock.withLock { asked } }
    func record(_ prompt: String) { lock.withLock { asked.append(prompt) } }
}

/// A testdata/auth fixture copied to a file of its own, removed when the test lets go of it.
final class AuthFixtureCopy: @unchecked Sendable {
    let path: String

    init(_ fixture: String) throws {
        let source = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("testdata/auth/\(fixture)")
        path = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-auth-\(UUID().uuidString).json").path
        try FileManager.default.copyItem(atPath: source.path, toPath: path)
    }

    deinit { unlink(path) }
}
