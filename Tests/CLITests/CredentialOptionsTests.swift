import Foundation
import Registry
import TestSupport
import Testing

@testable import airgap

@Suite struct CredentialOptionsTests {
    @Test(arguments: [
        ("fakeuser:fakepassword", "fakeuser", "fakepassword"),
        ("fakeuser:fake:pass:word", "fakeuser", "fake:pass:word"),
        ("fakeuser:", "fakeuser", ""),
        ("fakeuser", "fakeuser", nil),
        ("fake@example.com:fake pass", "fake@example.com", "fake pass"),
    ] as [(String, String, String?)])
    func credsSplitAtTheFirstColon(text: String, username: String, password: String?) throws {
        let parsed = try CredentialOptions.parseCreds(text)
        #expect(parsed.username == username)
        #expect(parsed.password == password)
    }

    @Test(arguments: [
        ("", CredentialOptionsError.empty),
        (":fakepassword", .emptyUsername),
        (":fake:pass:word", .emptyUsername),
    ])
    func unusableCredsAreRefusedWithoutRepeatingThem(text: String, expected: CredentialOptionsError) {
        let error = #expect(throws: CredentialOptionsError.self) { _ = try CredentialOptions.parseCreds(text) }
        #expect(error == expected)
        expectNoSecret(error, ["fakepassword", "fake:pass:word"])
    }

    @Test func aMissingPasswordIsAskedFor() throws {
        let asked = PromptLog()
        let credentials = try CredentialOptions(creds: "fakeuser").explicitCredentials { prompt in
            asked.record(prompt)
            return "fake-prompted-password"
        }
        #expect(credentials == Credentials(username: "fakeuser", password: "fake-prompted-password"))
        #expect(asked.prompts == ["Password for fakeuser: "])
    }

    @Test func aMissingPasswordWithoutATerminalIsAnError() {
        let noPrompt = #expect(throws: CredentialOptionsError.self) { _ = try CredentialOptions(creds: "fakeuser").explicitCredentials(promptPassword: nil) }
        let noTerminal = #expect(throws: CredentialOptionsError.self) { _ = try CredentialOptions(creds: "fakeuser").explicitCredentials { _ in nil } }
        for error in [noPrompt, noTerminal] {
            #expect(error?.description == "--creds USER without a password needs a terminal, or pass USER:PASS")
        }
    }

    @Test func noCredsMeansNoExplicitCredentials() throws {
        #expect(try CredentialOptions(authFile: "/x").explicitCredentials(promptPassword: nil) == nil)
    }

    @Test func optionsNeverPrintTheirPassword() {
        let options = CredentialOptions(creds: "fakeuser:fakepassword", authFile: "/x/auth.json")
        for text in ["\(options)", String(reflecting: options)] {
            #expect(!text.contains("fakepassword") && text.contains("/x/auth.json"), "\(text)")
        }
    }

    @Test func credsComeBeforeTheAuthFiles() async throws {
        let file = try AuthFixtureCopy("podman-auth.json")
        let chain = try ChainedCredentialProvider(
            options: CredentialOptions(creds: "fakeuser:fake:pass:word"), locations: .current(authFile: file.path), helperSearchPath: [],
            promptPassword: nil)
        #expect(try await chain.credentials(forRegistry: "quay.io", repository: nil) == ResolvedCredentials(
            credentials: Credentials(username: "fakeuser", password: "fake:pass:word"), source: "--creds"))
    }

    @Test func withoutCredsTheAuthFilesAnswer() async throws {
        let file = try AuthFixtureCopy("podman-auth.json")
        // --authfile from the options picks the file when no locations are given.
        let chain = try ChainedCredentialProvider(options: CredentialOptions(authFile: file.path), helperSearchPath: [], promptPassword: nil)
        let found = try await chain.credentials(forRegistry: "quay.io", repository: nil)
        #expect(found?.source == "\(file.path) (key quay.io)")
        #expect(try await chain.credentials(forRegistry: "unknown.example.com", repository: nil) == nil)
    }

    @Test func theChainAsksInOrderUntilOneAnswers() async throws {
        let first = FixedCredentials(Credentials(username: "fake-first", password: "fake-first-password"), source: "first")
        let chain = ChainedCredentialProvider([NoCredentials(), first, FixedCredentials(Credentials(username: "fake-second", password: "x"), source: "second")])
        #expect(try await chain.credentials(forRegistry: "quay.io", repository: nil)?.source == "first")
        #expect(try await ChainedCredentialProvider([NoCredentials()]).credentials(forRegistry: "quay.io", repository: nil) == nil)
    }

    @Test func aBadCredsValueStopsTheChainBeingBuilt() {
        #expect(throws: CredentialOptionsError.emptyUsername) {
            _ = try ChainedCredentialProvider(options: CredentialOptions(creds: ":fakepassword"), helperSearchPath: [], promptPassword: nil)
        }
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
