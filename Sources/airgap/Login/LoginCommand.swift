import ArgumentParser
import Foundation
import OCI
import Registry

/// `airgap login`: what the seed does with `podman login`, writing the same auth.json.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Check credentials against a registry and store them in auth.json, as podman login does.",
        discussion: """
            The credentials are tried first (GET /v2/ through the registry's challenge and token flow); \
            only accepted ones are written. The file is written atomically with mode 0600: --authfile, \
            else $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json (podman's default).

            Examples:
              airgap login registry.example.com -u admin
              echo "$PASSWORD" | airgap login registry.example.com -u admin --password-stdin
            """
    )

    @Argument(help: ArgumentHelp("The registry: host[:port], optionally with a namespace (host/ns).", valueName: "registry"))
    var registry: String

    @Option(name: .shortAndLong, help: "The user name (asked on a terminal when missing).")
    var username: String?

    @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.")
    var passwordStdin = false

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        try await CommandFailure.reporting(message: ErrorHints.loginMessage(for:)) {
            let key = try RegistryName.normalized(registry)
            let user = try username ?? Self.ask("Username: ", echo: true)
            let password = try passwordStdin ? Self.readStandardInput() : Self.ask("Password: ", echo: false)
            let credentials = Credentials(username: user, password: password)

            let host = String(key.split(separator: "/").first ?? Substring(key))
            let access = try connection.access(
                to: host, credentials: FixedCredentials(credentials, source: "this login (user \(user))"), logger: outputOptions.loggers)
            try await RegistryClientPool(access: access).client(registry: host).checkAccess()

            let writer = AuthFileWriter(locations: .current(authFile: connection.authFile))
            _ = try writer.store(credentials, for: key)
            print("Login Succeeded!")
        }
    }

    static func ask(_ prompt: String, echo: Bool) throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            throw ValidationError("no terminal to ask for the \(echo ? "user name" : "password"): pass -u USER and --password-stdin")
        }
        if echo {
            FileHandle.standardError.write(Data(prompt.utf8))
            guard let line = readLine(), !line.isEmpty else { throw ValidationError("a user name is required") }
            return line
        }
        guard let typed = PasswordPrompt.ask(prompt) else { throw ValidationError("no password given") }
        return typed
    }

    /// The whole of stdin without its final newline, as podman reads `--password-stdin`.
    static func readStandardInput() throws -> String {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw ValidationError("--password-stdin: standard input was empty") }
        return text
    }
}

/// `airgap logout`: removes stored credentials, as podman logout does.
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Remove stored credentials for a registry (or all with --all) from auth.json."
    )

    @Argument(help: ArgumentHelp("The registry to log out of.", valueName: "registry"))
    var registry: String?

    @Flag(help: "Remove the credentials of every registry.")
    var all = false

    @Option(name: .customLong("authfile"), help: ArgumentHelp("The auth.json to change.", valueName: "file"))
    var authFile: String?

    func validate() throws {
        guard (registry == nil) == all else { throw ValidationError("name one registry, or pass --all") }
    }

    func run() throws {
        let writer = AuthFileWriter(locations: .current(authFile: authFile))
        do {
            if all {
                try writer.removeAll()
                print("Removed login credentials for all registries")
            } else if let registry {
                let key = try RegistryName.normalized(registry)
                _ = try writer.remove(registry: key)
                TerminalOutput.line("Removed login credentials for \(key)")
            }
        } catch {
            TerminalOutput.errorLine("error: \(error)")
            throw ExitCode.failure
        }
    }
}

/// A registry as users type it for login: `https://` and a trailing `/` dropped, Docker Hub's
/// aliases folded into `docker.io`, and the host checked.
enum RegistryName {
    static func normalized(_ text: String) throws -> String {
        var value = text.trimmingCharacters(in: .whitespaces)
        for scheme in ["https://", "http://"] where value.hasPrefix(scheme) { value.removeFirst(scheme.count) }
        while value.hasSuffix("/") { value.removeLast() }
        value = RegistryEndpoint.registry(named: value)
        // Reuse the reference grammar: `value/x` must parse with `value` as its domain (and path).
        guard !value.isEmpty, let parsed = try? ImageReference(value + "/probe"), parsed.name.hasPrefix(value) || value == "docker.io" else {
            throw ValidationError("\"\(text)\" is not a registry: expected host[:port][/namespace], e.g. registry.example.com:5000")
        }
        return value
    }
}
