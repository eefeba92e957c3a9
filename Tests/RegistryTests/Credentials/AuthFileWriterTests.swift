import Foundation
import TestSupport
import Testing

@testable import Registry

@Suite struct AuthFileWriterTests {
    static let fake = Credentials(username: "fakeuser", password: "fake:pass:word")

    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// One text per JSON value (keys sorted), so two documents compare by content.
    static func canonical(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func loginCreatesTheFileAndItsDirectoriesPrivately() async throws {
        let scratch = try AuthScratchDirectory()
        let locations = scratch.locations(runtimeDir: false)
        let writer = AuthFileWriter(path: scratch.path("home/.config/containers/auth.json"))

        #expect(try writer.store(Self.fake, for: "registry.example.com") == "registry.example.com")
        #expect(try scratch.mode(of: "home/.config/containers/auth.json") == 0o600)
        #expect(try scratch.mode(of: "home/.config/containers") == 0o700)
        #expect(try scratch.mode(of: "home") == 0o700)
        #expect(try scratch.contents(of: "home/.config/containers") == ["auth.json"])  // no temporary file left

        let stored = try Self.json(writer.path)["auths"] as? [String: [String: String]]
        #expect(stored == ["registry.example.com": ["auth": Data("fakeuser:fake:pass:word".utf8).base64EncodedString()]])
        let found = try await AuthFileSearch(locations: locations, helperSearchPath: []).credentials(forRegistry: "registry.example.com", repository: "team/app")
        #expect(found == ResolvedCredentials(credentials: Self.fake, source: "\(writer.path) (key registry.example.com)"))
    }

    @Test func loginWritesTheRuntimeFileButDoesNotCreateTheRuntimeDirectory() throws {
        let scratch = try AuthScratchDirectory()
        let writer = AuthFileWriter(locations: scratch.locations())
        #expect(writer.path == scratch.path("run/containers/auth.json"))
        let error = #expect(throws: AuthFileError.self) { try writer.store(Self.fake, for: "quay.io") }
        #expect(error?.description.contains("$XDG_RUNTIME_DIR (\(scratch.path("run"))) does not exist") == true)
        expectNoSecret(error, ["fake:pass:word"])

        try FileManager.default.createDirectory(atPath: scratch.path("run"), withIntermediateDirectories: true)
        try writer.store(Self.fake, for: "quay.io")
        #expect(try scratch.mode(of: "run/containers") == 0o700)
        // --authfile is taken as given, runtime directory or not.
        #expect(AuthFileWriter(locations: scratch.locations(authFile: scratch.path("x/auth.json"))).runtimeDirectory == nil)
    }

    @Test func loginKeepsValuesOfEveryJSONType() throws {
        let scratch = try AuthScratchDirectory()
        let text = #"{"auths": {}, "a": true, "b": 1, "c": 1.5, "d": null, "e": false, "f": [1, "x", {"g": 0}], "h": "https://x/y"}"#
        let path = try scratch.write(text, at: "auth.json")
        try AuthFileWriter(path: path).store(Self.fake, for: "quay.io")
        var after = try Self.json(path)
        after["auths"] = [String: Any]()
        let before = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(try Self.canonical(after) == Self.canonical(before))
        #expect(try Self.canonical(after).contains(#""a":true"#))
    }

    @Test func loginKeepsEveryOtherKeyOfTheFile() throws {
        let scratch = try AuthScratchDirectory()
        let path = try scratch.install("docker-config.json", at: "home/.docker/config.json")
        let before = try Self.json(path)

        try AuthFileWriter(path: path).store(Self.fake, for: "quay.io")

        var after = try Self.json(path)
        var auths = try #require(after["auths"] as? [String: Any])
        #expect(auths.removeValue(forKey: "quay.io") != nil)
        after["auths"] = auths
        #expect(try Self.canonical(after) == Self.canonical(before))
        #expect(try scratch.contents(of: "home/.docker") == ["config.json"])
    }

    @Test(arguments: [
        ("https://index.docker.io/v1/", "docker.io"),
        ("http://registry.example.com:5000/v2/", "registry.example.com:5000"),
        ("quay.io/team/app", "quay.io/team/app"),
    ])
    func loginWritesTheKeyAsPodmanDoes(registry: String, key: String) throws {
        let scratch = try AuthScratchDirectory()
        let writer = AuthFileWriter(path: scratch.path("auth.json"))
        #expect(try writer.store(Self.fake, for: registry) == key)
        #expect((try Self.json(writer.path)["auths"] as? [String: Any])?.keys.sorted() == [key])
    }

    @Test func loginNarrowsAnOpenFileToTheOwner() throws {
        let scratch = try AuthScratchDirectory()
        let path = try scratch.write(#"{"auths": {}}"#, at: "auth.json", mode: 0o644)
        try AuthFileWriter(path: path).store(Self.fake, for: "quay.io")
        #expect(try scratch.mode(of: "auth.json") == 0o600)
    }

    @Test func loginRefusesAFileItCannotParseAndLeavesItAlone() throws {
        let scratch = try AuthScratchDirectory()
        let path = try scratch.install("bad-json.json", at: "auth.json")
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: AuthFileError.self) { try AuthFileWriter(path: path).store(Self.fake, for: "quay.io") }
        #expect(error?.description.contains(path) == true)
        expectNoSecret(error, ["fake:pass:word", "fake-json-secret"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
    }

    /// As podman login: an empty file is refused, and `/dev/null` is never replaced by a file.
    @Test func loginRefusesAnEmptyFileAndNeverReplacesADevice() throws {
        #expect(throws: AuthFileError.empty(path: "/dev/null")) { try AuthFileWriter(path: "/dev/null").store(Self.fake, for: "quay.io") }
        #expect(throws: AuthFileError.empty(path: "/dev/null")) { try AuthFileWriter(path: "/dev/null").removeAll() }
        var status = stat()
        #expect(stat("/dev/null", &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR)

        // A pipe that holds a valid document (`--authfile <(echo '{}')`) is read, but not replaced.
        let scratch = try AuthScratchDirectory()
        let fifo = scratch.path("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            guard fd >= 0 else { return }
            _ = "{}".withCString { write(fd, $0, 2) }
            close(fd)
        }
        writer.start()
        let error = #expect(throws: AuthFileError.self) { try AuthFileWriter(path: fifo).store(Self.fake, for: "quay.io") }
        guard case .writeFailed(fifo, let reason)? = error else {
            Issue.record("expected writeFailed, got \(String(describing: error))")
            return
        }
        #expect(reason == "\(fifo) is not a regular file, and only a regular file is replaced")
        #expect(stat(fifo, &status) == 0 && (status.st_mode & S_IFMT) == S_IFIFO)
    }

    @Test func loginToAHostAHelperManagesIsRefused() throws {
        let scratch = try AuthScratchDirectory()
        let path = try scratch.install("credhelpers-config.json", at: "config.json")
        let error = #expect(throws: AuthFileError.self) { try AuthFileWriter(path: path).store(Self.fake, for: "docker.io") }
        #expect(error == .managedByHelper(path: path, registry: "docker.io", helper: "testfake"))
        expectNoSecret(error, ["fake:pass:word"])
    }

    @Test func aDirectoryThatCannotBeCreatedIsAWriteError() throws {
        let scratch = try AuthScratchDirectory()
        try scratch.write("not a directory", at: "file")
        let error = #expect(throws: AuthFileError.self) { try AuthFileWriter(path: scratch.path("file/containers/auth.json")).store(Self.fake, for: "quay.io") }
        #expect(error?.description.contains(scratch.path("file/containers/auth.json")) == true)
        expectNoSecret(error, ["fake:pass:word"])
    }

    @Test func logoutRemovesEverySpellingOfTheRegistryAndNothingElse() throws {
        let scratch = try AuthScratchDirectory()
        let path = try scratch.install("docker-config.json", at: "config.json")
        try AuthFileWriter(path: path).store(Self.fake, for: "docker.io")

        #expect(try AuthFileWriter(path: path).remove(registry: "docker.io") == ["docker.io", "https://index.docker.io/v1/"])
        let after = try Self.json(path)
        #expect((after["auths"] as? [String: Any])?.keys.sorted() == [
            "http://registry.example.com:5000/v2/", "old.example.com", "stored.example.com", "token.example.com",
        ])
        #expect(after["psFormat"] as? String == "table {{.ID}}\t{{.Names}}")
        #expect(try scratch.mode(of: "config.json") == 0o600)
    }

    @Test func logoutOfARegistryNotInTheFileSaysSo() throws {
        let scratch = try AuthScratchDirectory()
        let path = try scratch.install("podman-auth.json", at: "auth.json")
        for file in [path, scratch.path("missing.json")] {
            let error = #expect(throws: AuthFileError.self) { try AuthFileWriter(path: file).remove(registry: "unknown.example.com") }
            #expect(error == .notLoggedIn(path: file, registry: "unknown.example.com"))
            #expect(error?.description == "not logged in to unknown.example.com: \(file) has no entry for it")
        }
    }

    @Test func logoutAllEmptiesAuthsAndKeepsTheRest() throws {
        let scratch = try AuthScratchDirectory()
        let path = try scratch.install("credhelpers-config.json", at: "config.json")
        try AuthFileWriter(path: path).removeAll()
        let after = try Self.json(path)
        #expect((after["auths"] as? [String: Any])?.isEmpty == true)
        #expect(after["credHelpers"] as? [String: String] == ["registry.example.com": "testfake", "index.docker.io": "testfake"])
        try AuthFileWriter(path: scratch.path("missing.json")).removeAll()  // nothing to do is fine
        #expect(try scratch.contents(of: "") == ["config.json"])
    }
}
