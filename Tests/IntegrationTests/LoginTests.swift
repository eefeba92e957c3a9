import Foundation
import Testing

@testable import Registry

/// `airgap login`/`logout` and credentialed bundling, through the real binary and real registries.
@Suite struct LoginTests {
    private func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-login-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func loginChecksThenStoresAndBundleUsesTheStoredCredentials() throws {
        let registry = try TestServers.value("AIRGAP_TEST_REGISTRY_AUTH")
        let user = try TestServers.value("AIRGAP_TEST_AUTH_USER")
        let password = try TestServers.value("AIRGAP_TEST_AUTH_PASSWORD")
        let certDir = try TestServers.value("AIRGAP_TEST_CERT_DIR")
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let authFile = directory + "/auth.json"

        let login = try AirgapBinary.run(
            ["login", registry, "-u", user, "--password-stdin", "--cert-dir", certDir, "--authfile", authFile], stdin: password + "\n")
        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.stdout == "Login Succeeded!\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: authFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let stored = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: authFile))) as? [String: Any]
        let entry = (stored?["auths"] as? [String: Any])?[registry] as? [String: Any]
        #expect(entry?["auth"] as? String == Data("\(user):\(password)".utf8).base64EncodedString())

        let bundle = try AirgapBinary.run([
            "bundle", "-q", "\(registry)/pause:3.2", "--authfile", authFile, "--cert-dir", certDir,
            "--cache", directory + "/cache", "-o", directory + "/images.tar",
        ])
        #expect(bundle.status == 0, "\(bundle.stderr)")

        let logout = try AirgapBinary.run(["logout", registry, "--authfile", authFile])
        #expect(logout.status == 0)
        let again = try AirgapBinary.run(["logout", registry, "--authfile", authFile])
        #expect(again.status == 1)
        #expect(again.stderr.contains("not logged in to \(registry)"))
    }

    @Test func aRejectedLoginWritesNothingAndNamesTheRegistry() throws {
        let registry = try TestServers.value("AIRGAP_TEST_REGISTRY_AUTH")
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try AirgapBinary.run(
            ["login", registry, "-u", try TestServers.value("AIRGAP_TEST_AUTH_USER"), "--password-stdin",
             "--cert-dir", try TestServers.value("AIRGAP_TEST_CERT_DIR"), "--authfile", directory + "/auth.json"],
            stdin: "definitely-wrong-4d1e")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: unauthorized: \(registry) rejected the credentials"))
        #expect(result.stderr.hasSuffix("; check the user name and password\n"), "\(result.stderr)")
        #expect(!result.stderr.contains("log in again"))
        #expect(!result.stderr.contains("definitely-wrong-4d1e"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/auth.json"))
    }

    /// The most verbose logging, a token registry, a wrong scope and a good one: neither the
    /// password nor any token (JWTs start "eyJ") may appear anywhere in the output.
    @Test func secretsNeverReachTheOutputAtAnyLogLevel() throws {
        let registry = try TestServers.value("AIRGAP_TEST_REGISTRY_TOKEN")
        let password = try TestServers.value("AIRGAP_TEST_TOKEN_READER_PASSWORD")
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for image in ["library/busybox:1.29", "private/secret:1.0"] {
            let result = try AirgapBinary.run([
                "bundle", "\(registry)/\(image)", "--creds", "reader:\(password)", "--tls-verify=false",
                "--log-level", "trace", "--cache", directory + "/cache", "-o", directory + "/\(UUID().uuidString).tar",
            ])
            let output = result.stdout + result.stderr
            #expect(!output.contains(password))
            #expect(!output.contains("eyJ"))
            #expect(!output.contains(Data("reader:\(password)".utf8).base64EncodedString()))
            if image.hasPrefix("private/") {
                #expect(result.status == 1)
                #expect(result.stderr.contains("unauthorized"))
                #expect(result.stderr.contains("--creds"))
            } else {
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stderr.contains("GET"), "trace logging shows requests")
            }
        }
    }

    @Test func aCredentialHelperSuppliesTheLogin() throws {
        let registry = try TestServers.value("AIRGAP_TEST_REGISTRY_TOKEN")
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = directory + "/helper-store.json"
        let log = directory + "/helper.log"
        let password = try TestServers.value("AIRGAP_TEST_TOKEN_READER_PASSWORD")
        try JSONSerialization.data(withJSONObject: [registry: ["Username": "reader", "Secret": password]]).write(to: URL(fileURLWithPath: store))
        try Data(#"{"credHelpers":{"\#(registry)":"airgaptest"}}"#.utf8).write(to: URL(fileURLWithPath: directory + "/auth.json"))
        let helpers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("testdata/credential-helpers").path

        let result = try AirgapBinary.run(
            ["bundle", "-q", "\(registry)/pause:3.2", "--authfile", directory + "/auth.json", "--tls-verify=false",
             "--cache", directory + "/cache", "-o", directory + "/images.tar"],
            environment: [
                "PATH": helpers + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                "AIRGAP_TEST_CREDHELPER_STORE": store, "AIRGAP_TEST_CREDHELPER_LOG": log,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains(registry))
    }

    @Test func aRegistriesConfMirrorServesTheRealName() throws {
        let registry = try TestServers.plainRegistry()
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("""
            [[registry]]
            prefix = "docker.io/library/busybox"
            location = "docker.io/library/busybox"
            [[registry.mirror]]
            location = "\(registry)/library/busybox"
            insecure = true
            """.utf8).write(to: URL(fileURLWithPath: directory + "/registries.conf"))
        let result = try AirgapBinary.run([
            "bundle", "-q", "busybox:1.29", "--registries-conf", directory + "/registries.conf",
            "--cache", directory + "/cache", "-o", directory + "/images.tar",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let listing = try AirgapBinary.run(["inspect", directory + "/images.tar", "--output", "json"])
        #expect(listing.stdout.contains("\"docker.io/library/busybox:1.29\""))
    }

    /// libcurl reads the proxy variables; nothing in airgap may turn that off.
    @Test func requestsGoThroughTheProxyFromTheEnvironment() throws {
        let proxy = try TestServers.value("AIRGAP_TEST_PROXY")
        let proxyLog = try TestServers.value("AIRGAP_TEST_PROXY_LOG")
        let registry = try TestServers.plainRegistry()
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let repository = "library/nginx"
        let before = try String(contentsOfFile: proxyLog, encoding: .utf8).components(separatedBy: "\n").count
        let result = try AirgapBinary.run(
            ["bundle", "-q", "\(registry)/\(repository):1.14-alpine", "--tls-verify=false", "--cache", directory + "/cache", "-o", directory + "/images.tar"],
            environment: ["http_proxy": proxy, "https_proxy": proxy, "NO_PROXY": "", "no_proxy": ""])
        #expect(result.status == 0, "\(result.stderr)")
        let added = try String(contentsOfFile: proxyLog, encoding: .utf8).components(separatedBy: "\n").dropFirst(before - 1)
        #expect(added.contains { $0.contains("GET http://\(registry)/v2/\(repository)/manifests/1.14-alpine") || $0.contains("HEAD http://\(registry)/v2/\(repository)/manifests/1.14-alpine") })
        #expect(added.contains { $0.contains("http://\(registry)/v2/\(repository)/blobs/") })
    }
}

/// TLS and auth files as users have them on disk, through the binary.
@Suite struct RegistryFilesTests {
    @Test func aCertsDDirectoryInTheHomeIsFoundForTheRegistry() throws {
        let registry = try TestServers.tlsRegistry()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-home-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        let certs = "\(home)/.config/containers/certs.d/\(registry)"
        try FileManager.default.createDirectory(atPath: certs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try TestServers.caFile(), toPath: certs + "/ca.crt")

        let arguments = ["bundle", "-q", "\(registry)/pause:3.2", "--cache", home + "/cache", "-o", home + "/images.tar"]
        let trusted = try AirgapBinary.run(arguments, environment: ["HOME": home, "XDG_RUNTIME_DIR": home])
        #expect(trusted.status == 0, "\(trusted.stderr)")

        try FileManager.default.removeItem(atPath: certs + "/ca.crt")
        let untrusted = try AirgapBinary.run(arguments, environment: ["HOME": home, "XDG_RUNTIME_DIR": home])
        #expect(untrusted.status == 1)
        #expect(untrusted.stderr.contains("--cert-dir"), "the TLS error says how to trust a private CA")
    }

    /// `--authfile /dev/null` or an empty file: refused as podman refuses it, saying it is empty
    /// (it was "permission denied"), before anything is fetched; login leaves /dev/null a device.
    @Test func anEmptyAuthFileIsSaidToBeEmpty() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-authfile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data().write(to: URL(fileURLWithPath: directory + "/empty.json"))
        let registry = try TestServers.authPlainRegistry()
        for file in ["/dev/null", directory + "/empty.json"] {
            let bundle = try AirgapBinary.run([
                "bundle", "\(registry)/pause:3.2", "--authfile", file, "--tls-verify=false", "--cache", directory + "/cache",
                "-o", directory + "/images.tar",
            ])
            #expect(bundle.status == 1)
            #expect(bundle.stderr.contains("auth file \(file) is empty; an auth file is a JSON object such as {\"auths\": {}}"), "\(bundle.stderr)")
            #expect(!bundle.stderr.contains("permission denied"))
            #expect(!FileManager.default.fileExists(atPath: directory + "/images.tar"))

            let login = try AirgapBinary.run(
                ["login", registry, "-u", try TestServers.authUser(), "--password-stdin", "--tls-verify=false", "--authfile", file],
                stdin: try TestServers.authPassword())
            #expect(login.status == 1)
            #expect(login.stderr.contains("auth file \(file) is empty"), "\(login.stderr)")
        }
        var status = stat()
        #expect(stat("/dev/null", &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR)
    }

    @Test func aMalformedAuthFileNamesTheFileAndKeyButNotTheSecret() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-authfile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try TestServers.value("AIRGAP_TEST_REGISTRY_AUTH")
        // Valid base64, but of a string without the user:password colon.
        let secret = Data("nocolonsecret".utf8).base64EncodedString()
        try Data(#"{"auths":{"\#(registry)":{"auth":"\#(secret)"}}}"#.utf8).write(to: URL(fileURLWithPath: directory + "/auth.json"))
        let result = try AirgapBinary.run([
            "bundle", "\(registry)/pause:3.2", "--authfile", directory + "/auth.json", "--cert-dir", try TestServers.value("AIRGAP_TEST_CERT_DIR"),
            "--cache", directory + "/cache", "-o", directory + "/images.tar",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains(directory + "/auth.json"))
        #expect(result.stderr.contains(registry))
        #expect(!result.stderr.contains("nocolonsecret") && !result.stderr.contains(secret))
    }
}
