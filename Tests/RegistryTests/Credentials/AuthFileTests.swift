import Foundation
import TestSupport
import Testing

@testable import Registry

@Suite struct AuthFileTests {
    @Test func dockersConfigReadsDespiteKeysItDoesNotUse() throws {
        let file = try #require(try AuthFile.load(path: AuthFixture.path("docker-config.json")))
        #expect(Set(file.auths.keys) == [
            "https://index.docker.io/v1/", "http://registry.example.com:5000/v2/", "old.example.com",
            "token.example.com", "stored.example.com",
        ])
        #expect(file.auths["stored.example.com"]?.isEmpty == true)
        #expect(file.credHelpers.isEmpty)
        #expect(file.credsStore == nil)
    }

    @Test func helpersAndStoreAreRead() throws {
        let helpers = try #require(try AuthFile.load(path: AuthFixture.path("credhelpers-config.json")))
        #expect(helpers.credHelpers == ["registry.example.com": "testfake", "index.docker.io": "testfake"])
        let store = try #require(try AuthFile.load(path: AuthFixture.path("credsstore-config.json")))
        #expect(store.credsStore == "testfake")
    }

    @Test func aMissingFileIsNoFile() throws {
        #expect(try AuthFile.load(path: "/nonexistent/airgap/auth.json") == nil)
    }

    @Test(arguments: ["{}", "{\"auths\": null}"])
    func anEmptyObjectIsAnEmptyConfiguration(text: String) throws {
        let file = try AuthFile(path: "/x/auth.json", contents: Data(text.utf8))
        #expect(file.auths.isEmpty && file.credHelpers.isEmpty && file.credsStore == nil)
    }

    /// containers/image refuses an empty auth file ("unexpected end of JSON input"; skopeo 1.9 seen
    /// here), so podman users know it as an error, not as "no credentials".
    @Test(arguments: ["", "  \n"])
    func anEmptyFileIsRefusedAsEmpty(text: String) throws {
        #expect(throws: AuthFileError.empty(path: "/x/auth.json")) { try AuthFile(path: "/x/auth.json", contents: Data(text.utf8)) }
    }

    /// `/dev/null` and an empty regular file are readable, and empty: never "permission denied".
    @Test func devNullAndAnEmptyFileAreEmptyNotUnreadable() throws {
        #expect(throws: AuthFileError.empty(path: "/dev/null")) { try AuthFile.load(path: "/dev/null") }
        let scratch = try AuthScratchDirectory()
        let path = try scratch.write("", at: "empty.json")
        #expect(throws: AuthFileError.empty(path: path)) { try AuthFile.load(path: path) }
        #expect(AuthFileError.empty(path: path).description == "auth file \(path) is empty; an auth file is a JSON object such as {\"auths\": {}}")
    }

    @Test func aDeviceWithoutEndAndADirectoryAreUnreadable() throws {
        let endless = #expect(throws: AuthFileError.self) { try AuthFile.load(path: "/dev/zero") }
        #expect(endless == .unreadable(path: "/dev/zero", reason: "larger than 16 MiB, which no auth file is"))
        let scratch = try AuthScratchDirectory()
        let directory = scratch.path("dir")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(throws: AuthFileError.unreadable(path: directory, reason: "it is a directory")) { try AuthFile.load(path: directory) }
    }

    /// (fixture, key, username, password, identity token)
    @Test(arguments: [
        ("podman-auth.json", "registry.example.com", "fake-host-user", "fake-host-password", nil),
        ("podman-auth.json", "registry.example.com/team/app", "fake-repo-user", "fake-repo-password", nil),
        ("podman-auth.json", "quay.io", "fake-colon-user", "fake:pass:word", nil),
        ("docker-config.json", "https://index.docker.io/v1/", "fake-legacy-user", "fake-legacy-password", nil),
        ("docker-config.json", "old.example.com", "fake-old-user", "fake-old-password", nil),
        ("docker-config.json", "token.example.com", "fake-token-user", "", "fake-identity-token"),
    ] as [(String, String, String, String, String?)])
    func entriesDecodeToCredentials(fixture: String, key: String, username: String, password: String, token: String?) throws {
        let file = try #require(try AuthFile.load(path: AuthFixture.path(fixture)))
        let entry = try #require(file.auths[key])
        let credentials = try #require(try file.credentials(key: key, entry: entry))
        #expect(credentials == Credentials(username: username, password: password, identityToken: token))
    }

    @Test func anAuthValueWithoutPaddingOrWithTrailingNULsStillDecodes() throws {
        let file = AuthFile(path: "/x/auth.json")
        let unpadded = AuthFile.Entry(auth: "ZmFrZXVzZXI6ZmFrZXBhc3N3b3JkMQ")  // fakeuser:fakepassword1
        #expect(try file.credentials(key: "k", entry: unpadded) == Credentials(username: "fakeuser", password: "fakepassword1"))
        let nuls = AuthFile.Entry(auth: Data("fakeuser:fakepassword\0\0".utf8).base64EncodedString())
        #expect(try file.credentials(key: "k", entry: nuls)?.password == "fakepassword")
    }

    /// (fixture, the key the error must name, what it must say, the secrets it must not show)
    @Test(arguments: [
        ("bad-json.json", "line 4", "not valid JSON", ["fake-json-secret", "fakepassword"]),
        ("auths-not-object.json", "auths", "is not a JSON object", []),
        ("auth-not-string.json", "auths[\"registry.example.com\"].auth", "is not a string", []),
        ("bad-base64.json", "auths[\"registry.example.com\"].auth", "is not valid base64", ["fake-base64-secret"]),
        ("no-colon.json", "auths[\"registry.example.com\"].auth", "without a ':'", ["fake-no-colon-secret"]),
    ])
    func malformedFilesNameTheFileAndKeyButNotTheSecret(fixture: String, key: String, problem: String, secrets: [String]) async throws {
        let path = AuthFixture.path(fixture)
        let locations = AuthFileLocations(authFile: path, home: "/nonexistent", uid: 4242)
        let error = await #expect(throws: AuthFileError.self) {
            _ = try await AuthFileSearch(locations: locations, helperSearchPath: []).credentials(forRegistry: "registry.example.com", repository: "team/app")
        }
        let text = error?.description ?? ""
        #expect(text.contains(path), "\(text)")
        #expect(text.contains(key), "\(text)")
        #expect(text.contains(problem), "\(text)")
        expectNoSecret(error, secrets)
    }

    @Test func aBrokenEntryForAnotherRegistryDoesNotBlockThisOne() async throws {
        let scratch = try AuthScratchDirectory()
        let broken = try scratch.write(#"{"auths": {"other.example.com": {"auth": "fake-base64-secret!!"}, "quay.io": {"auth": "ZmFrZXVzZXI6ZmFrZXBhc3N3b3Jk"}}}"#, at: "auth.json")
        let found = try await AuthFileSearch(locations: scratch.locations(authFile: broken), helperSearchPath: [])
            .credentials(forRegistry: "quay.io", repository: nil)
        #expect(found?.credentials == Credentials(username: "fakeuser", password: "fakepassword"))
    }

    @Test func anUnreadableFileSaysWhy() throws {
        let scratch = try AuthScratchDirectory()
        try FileManager.default.createDirectory(atPath: scratch.path("auth.json"), withIntermediateDirectories: true)
        let error = #expect(throws: AuthFileError.self) { _ = try AuthFile.load(path: scratch.path("auth.json")) }
        #expect(error?.description.contains(scratch.path("auth.json")) == true)
    }

    @Test func entriesNeverPrintTheirSecrets() {
        let entry = AuthFile.Entry(auth: "ZmFrZXVzZXI6ZmFrZXBhc3N3b3Jk", username: "fakeuser", password: "fakepassword", identityToken: "fake-identity-token")
        for text in ["\(entry)", String(reflecting: entry)] {
            #expect(!text.contains("ZmFrZXVzZXI6ZmFrZXBhc3N3b3Jk") && !text.contains("fakepassword") && !text.contains("fake-identity-token"), "\(text)")
        }
        #expect("\(entry)".contains("fakeuser"))
    }
}
