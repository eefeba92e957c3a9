import Foundation
import TestSupport
import Testing

@testable import Registry

@Suite struct CredentialHelperTests {
    /// A directory per test: Swift Testing makes a suite instance for each.
    let scratch: AuthScratchDirectory

    init() throws {
        scratch = try AuthScratchDirectory()
    }

    func helper(_ body: String, timeout: Duration = .seconds(30)) throws -> CredentialHelper {
        CredentialHelper(name: "testfake", searchPath: try FakeHelper.install(body, in: scratch), timeout: timeout)
    }

    @Test func theServerURLGoesInOnStdinAndCredentialsComeBack() async throws {
        let helper = try helper(FakeHelper.keyring)
        #expect(helper.program == "docker-credential-testfake")
        #expect(try helper.executablePath() == scratch.path("bin/docker-credential-testfake"))
        let credentials = try await helper.get(serverURL: "registry.example.com")
        #expect(credentials == Credentials(username: "fake-helper-user", password: "fake-helper-secret"))
        #expect(try String(contentsOfFile: scratch.path("bin/helper-stdin.txt"), encoding: .utf8) == "registry.example.com")
    }

    @Test func aTokenUsernameMeansTheSecretIsAnIdentityToken() async throws {
        let helper = try helper(FakeHelper.keyring)
        let credentials = try await helper.get(serverURL: "https://index.docker.io/v1/")
        #expect(credentials == Credentials(username: "", password: "", identityToken: "fake-helper-identity-token"))
    }

    @Test(arguments: [
        "echo 'credentials not found in native keychain'; exit 1",  // docker-credential-helpers: on stdout
        "echo 'Credentials not found' >&2; exit 1",  // other helpers: on stderr
        "echo '{\"ServerURL\":\"x\",\"Username\":\"\",\"Secret\":\"\"}'",  // an empty answer
    ])
    func notFoundIsNoCredentialsNotAnError(body: String) async throws {
        let helper = try helper(body)
        #expect(try await helper.get(serverURL: "unknown.example.com") == nil)
    }

    @Test func aFailureNamesTheHelperAndWhatItSaid() async throws {
        let helper = try helper("cat >/dev/null; printf '  fake-helper: the keyring is locked\\n\\n' >&2; exit 3")
        let error = await #expect(throws: CredentialHelperError.self) { _ = try await helper.get(serverURL: "registry.example.com") }
        #expect(error == .failed(helper: "docker-credential-testfake", status: 3, message: "fake-helper: the keyring is locked"))
        #expect(error?.description == "credential helper docker-credential-testfake get failed with exit status 3: fake-helper: the keyring is locked")
    }

    /// Failures that print a secret anyhow: JSON on stdout with a bad exit, output that is not JSON.
    @Test(arguments: [
        "echo '{\"ServerURL\":\"x\",\"Username\":\"u\",\"Secret\":\"fake-helper-secret\"}'; exit 4",
        "echo 'Username=u Secret=fake-helper-secret'; exit 4",
        "echo 'not json fake-helper-secret'",
        "echo '{\"Username\": 5, \"Secret\": \"fake-helper-secret\"'",
    ])
    func failuresNeverRepeatTheSecret(body: String) async throws {
        let helper = try helper(body)
        let error = await #expect(throws: CredentialHelperError.self) { _ = try await helper.get(serverURL: "registry.example.com") }
        #expect(error?.description.contains("docker-credential-testfake") == true)
        expectNoSecret(error, ["fake-helper-secret"])
    }

    @Test func aHelperThatHangsIsStoppedAtTheTimeout() async throws {
        let helper = try helper("exec sleep 30", timeout: .milliseconds(300))
        // The helper would sleep 30 s; the call ends with the timeout error instead (no wall-clock
        // assertion: a loaded machine may be slow to deliver it, and tests are not timed).
        let error = await #expect(throws: CredentialHelperError.self) { _ = try await helper.get(serverURL: "registry.example.com") }
        #expect(error == .timedOut(helper: "docker-credential-testfake", after: .milliseconds(300)))
    }

    @Test func cancellingTheTaskStopsTheHelper() async throws {
        // The helper says it started, then hangs. The task is cancelled once it has started (not
        // after a delay, which on a loaded machine could come before the helper ran at all).
        let started = scratch.path("helper-started")
        let helper = try helper("touch '\(started)'; exec sleep 30")
        let task = Task { try await helper.get(serverURL: "registry.example.com") }
        let deadline = ContinuousClock.now + .seconds(120)
        while !FileManager.default.fileExists(atPath: started), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(FileManager.default.fileExists(atPath: started), "the helper never started")
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }

    @Test func aLargeStderrDoesNotDeadlock() async throws {
        // More than a pipe buffer (64 KiB) on stderr before anything on stdout.
        let helper = try helper("head -c 200000 /dev/zero | tr '\\0' x >&2; echo '{\"Username\":\"u\",\"Secret\":\"s\"}'")
        #expect(try await helper.get(serverURL: "registry.example.com") == Credentials(username: "u", password: "s"))
    }

    @Test func aMissingHelperSaysWhereItLooked() throws {
        // A file of that name that is not executable does not count.
        try scratch.write("#!/bin/sh\n", at: "bin/docker-credential-absent", mode: 0o644)
        let helper = CredentialHelper(name: "absent", searchPath: [scratch.path("bin"), "/nonexistent"])
        let error = #expect(throws: CredentialHelperError.self) { _ = try helper.executablePath() }
        #expect(error?.description == "credential helper docker-credential-absent not found (searched \(scratch.path("bin")):/nonexistent); "
            + "install it, or remove the credHelpers/credsStore entry that names it")
    }

    @Test(arguments: ["../../bin/sh", "a/b", ""])
    func namesThatLeaveThePrefixAreRefused(name: String) {
        #expect(throws: CredentialHelperError.invalidName(name)) { _ = try CredentialHelper(name: name, searchPath: ["/bin"]).executablePath() }
    }

    @Test func pathDirectoriesComeFromPATH() {
        #expect(CredentialHelper.pathDirectories(environment: ["PATH": "/usr/local/bin:/usr/bin::/bin"]) == ["/usr/local/bin", "/usr/bin", "/bin"])
        #expect(CredentialHelper.pathDirectories(environment: [:]) == [])
    }
}
