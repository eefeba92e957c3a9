import Foundation

/// A docker credential helper: `docker-credential-NAME get` reads a server URL on stdin and prints
/// `{"ServerURL": …, "Username": …, "Secret": …}` (github.com/docker/docker-credential-helpers,
/// client/client.go). Named by `credHelpers` and `credsStore` in auth files.
public struct CredentialHelper: Sendable, Hashable {
    /// The part after `docker-credential-`: `pass`, `secretservice`, `ecr-login`.
    public var name: String
    /// Directories searched for the executable, in order: `$PATH` unless a test says otherwise.
    public var searchPath: [String]
    /// How long a helper may take; one waiting on a keyring prompt would otherwise hang the command.
    public var timeout: Duration

    public init(name: String, searchPath: [String] = CredentialHelper.pathDirectories(), timeout: Duration = .seconds(30)) {
        self.name = name
        self.searchPath = searchPath
        self.timeout = timeout
    }

    /// The program run: `docker-credential-NAME`.
    public var program: String { "docker-credential-\(name)" }

    /// The directories of `$PATH`.
    public static func pathDirectories(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        (environment["PATH"] ?? "").split(separator: ":").map(String.init)
    }

    /// The executable's full path: the first searched directory holding an executable file of that name.
    public func executablePath() throws(CredentialHelperError) -> String {
        guard !name.isEmpty, !name.contains("/") else { throw .invalidName(name) }
        for directory in searchPath {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(program).path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        throw .notFound(helper: program, searched: searchPath)
    }

    /// The credentials the helper holds for `serverURL`; `nil` when it has none ("credentials not
    /// found", as every helper built on docker-credential-helpers says, exit status 1).
    /// A username of `<token>` means the secret is an identity token (docker's convention).
    public func get(serverURL: String) async throws -> Credentials? {
        let executable = try executablePath()
        let output: HelperProcess.Output
        do {
            output = try await HelperProcess.run(executable: executable, arguments: ["get"], input: Data(serverURL.utf8), timeout: timeout)
        } catch HelperProcess.Failure.launch(let reason) {
            throw CredentialHelperError.launchFailed(helper: program, reason: reason)
        } catch HelperProcess.Failure.timedOut {
            throw CredentialHelperError.timedOut(helper: program, after: timeout)
        }
        guard output.status == 0 else {
            // Helpers built on docker-credential-helpers print their errors on stdout, others on stderr.
            let said = (String(decoding: output.stdout, as: UTF8.self) + "\n" + String(decoding: output.stderr, as: UTF8.self)).lowercased()
            if said.contains("credentials not found") { return nil }
            throw CredentialHelperError.failed(helper: program, status: output.status, message: Self.complaint(output))
        }
        return try parse(output.stdout)
    }

    private struct Response: Decodable {
        var Username: String?
        var Secret: String?
    }

    private func parse(_ stdout: Data) throws(CredentialHelperError) -> Credentials? {
        // The decoder's error could quote the output, which holds the secret: replace it whole.
        guard let response = try? JSONDecoder().decode(Response.self, from: stdout) else {
            throw .malformedOutput(helper: program)
        }
        let username = response.Username ?? "", secret = response.Secret ?? ""
        if username.isEmpty && secret.isEmpty { return nil }
        if username == "<token>" {
            return Credentials(username: "", password: "", identityToken: secret)
        }
        return Credentials(username: username, password: secret)
    }

    /// What the helper said when it failed: stderr, else stdout when that is not JSON (which could
    /// carry a secret), trimmed and cut short.
    static func complaint(_ output: HelperProcess.Output) -> String {
        var text = String(decoding: output.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty {
            let stdout = String(decoding: output.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !stdout.hasPrefix("{"), !stdout.contains("Secret") { text = stdout }
        }
        let limit = 400
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}
