import Foundation
import Testing

@testable import Registry

private let host = "registry.example.com:5000"

/// A scratch tree: three per-host roots (user, /etc/containers, /etc/docker stand-ins), a fake
/// system bundle and a bundle cache.
private struct CertsTree {
    let root: String
    var roots: [String] { ["home", "etc-containers", "etc-docker"].map { "\(root)/\($0)" } }
    var systemBundle: String { "\(root)/system-ca.crt" }

    init() throws {
        root = try RegistriesFixtures.scratchDirectory()
        try RegistriesFixtures.write(Self.pem("SYSTEM"), to: systemBundle)
    }

    func directories(certDir: String? = nil) -> CertificateDirectories {
        CertificateDirectories(
            certDir: certDir, perHostRoots: roots, systemBundleCandidates: ["\(root)/missing.crt", systemBundle],
            bundleCacheDirectory: "\(root)/cache")
    }

    func hostDirectory(_ index: Int) -> String { "\(roots[index])/\(host)" }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    static func pem(_ body: String) -> String {
        "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n"
    }
}

/// Runs /usr/bin/openssl, returning whether it exited 0.
@discardableResult
private func openssl(_ arguments: [String]) throws -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus == 0
}

@Suite struct CertificateDirectoriesTests {
    /// Which roots hold a `HOST:PORT` directory → which one is used (containers/image's
    /// dockerCertDir: the first that exists, user before /etc/containers before /etc/docker).
    @Test(arguments: [([0, 1, 2], 0), ([1, 2], 1), ([2], 2), ([0, 2], 0), ([], nil)] as [([Int], Int?)])
    func theFirstExistingDirectoryWins(present: [Int], expected: Int?) throws {
        let tree = try CertsTree()
        defer { tree.remove() }
        for index in present {
            try FileManager.default.createDirectory(atPath: tree.hostDirectory(index), withIntermediateDirectories: true)
        }
        #expect(try tree.directories().directory(forRegistry: host) == expected.map(tree.hostDirectory))
    }

    @Test func certDirIsUsedAloneForEveryRegistry() throws {
        let tree = try CertsTree()
        defer { tree.remove() }
        try RegistriesFixtures.write(CertsTree.pem("HOSTDIR"), to: "\(tree.hostDirectory(0))/ca.crt")
        try RegistriesFixtures.write("cert", to: "\(tree.root)/flag/client.cert")
        try RegistriesFixtures.write("key", to: "\(tree.root)/flag/client.key")
        let directories = tree.directories(certDir: "\(tree.root)/flag")
        for registry in [host, "quay.io"] {
            let tls = try #require(try directories.tlsConfiguration(forRegistry: registry))
            #expect(tls.caFile == nil)
            #expect(tls.clientCertificate == "\(tree.root)/flag/client.cert")
            #expect(tls.clientKey == "\(tree.root)/flag/client.key")
        }
        #expect(throws: CertificateDirectoryError.missingDirectory("\(tree.root)/nope")) {
            _ = try tree.directories(certDir: "\(tree.root)/nope").directory(forRegistry: host)
        }
    }

    @Test func caCertificatesAreAddedToTheSystemBundleInNameOrder() throws {
        let tree = try CertsTree()
        defer { tree.remove() }
        let directory = tree.hostDirectory(1)
        try RegistriesFixtures.write(CertsTree.pem("B"), to: "\(directory)/b.crt")
        try RegistriesFixtures.write(String(CertsTree.pem("A").dropLast()), to: "\(directory)/a.crt")  // no final newline
        try RegistriesFixtures.write("ignored", to: "\(directory)/README")
        let base = TLSConfiguration(verifyPeer: true, caDirectory: "/etc/ssl/certs")
        let tls = try #require(try tree.directories().tlsConfiguration(forRegistry: host, base: base))

        let bundle = try #require(tls.caFile)
        #expect(bundle.hasPrefix("\(tree.root)/cache/"))
        #expect(try String(contentsOfFile: bundle, encoding: .utf8) == CertsTree.pem("SYSTEM") + CertsTree.pem("A") + CertsTree.pem("B"))
        #expect(tls.caDirectory == "/etc/ssl/certs" && tls.verifyPeer && tls.clientCertificate == nil)
        // The same inputs reuse the file; changed inputs get another.
        #expect(try tree.directories().tlsConfiguration(forRegistry: host)?.caFile == bundle)
        try RegistriesFixtures.write(CertsTree.pem("C"), to: "\(directory)/c.crt")
        #expect(try tree.directories().tlsConfiguration(forRegistry: host)?.caFile != bundle)
    }

    @Test func theBundleVerifiesACertificateSignedByTheDirectorysCA() throws {
        let tree = try CertsTree()
        defer { tree.remove() }
        let work = "\(tree.root)/pki"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try #require(
            try openssl(
                ["req", "-x509"] + ec + [
                    "-keyout", "\(work)/ca.key", "-out", "\(work)/ca.pem", "-days", "2", "-subj", "/CN=airgap test CA",
                ]))
        // The stand-in system bundle must be real PEM too: another CA, which did not sign the server.
        try #require(
            try openssl(
                ["req", "-x509"] + ec + [
                    "-keyout", "\(work)/system.key", "-out", tree.systemBundle, "-days", "2", "-subj", "/CN=airgap system CA",
                ]))
        try #require(
            try openssl(
                ["req"] + ec + [
                    "-keyout", "\(work)/server.key", "-out", "\(work)/server.csr", "-subj", "/CN=registry.example.com",
                ]))
        try #require(
            try openssl([
                "x509", "-req", "-in", "\(work)/server.csr", "-CA", "\(work)/ca.pem", "-CAkey", "\(work)/ca.key",
                "-CAcreateserial", "-out", "\(work)/server.pem", "-days", "2",
            ]))
        try FileManager.default.createDirectory(atPath: tree.hostDirectory(0), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(work)/ca.pem", toPath: "\(tree.hostDirectory(0))/ca.crt")

        let bundle = try #require(try tree.directories().tlsConfiguration(forRegistry: host)?.caFile)
        #expect(try openssl(["verify", "-CAfile", bundle, "\(work)/server.pem"]))
        #expect(try !openssl(["verify", "-CAfile", tree.systemBundle, "\(work)/server.pem"]))
    }

    @Test func aClientPairIsUsedAndAHalfPairNamesBothFiles() throws {
        let tree = try CertsTree()
        defer { tree.remove() }
        let directory = tree.hostDirectory(0)
        try RegistriesFixtures.write("cert", to: "\(directory)/client.cert")
        try RegistriesFixtures.write("key", to: "\(directory)/client.key")
        let tls = try #require(try tree.directories().tlsConfiguration(forRegistry: host))
        #expect(tls.clientCertificate == "\(directory)/client.cert" && tls.clientKey == "\(directory)/client.key")
        #expect(tls.caFile == nil)

        try RegistriesFixtures.write("cert", to: "\(directory)/other.cert")
        #expect(
            throws: CertificateDirectoryError.missingClientKey(
                certificate: "\(directory)/other.cert", key: "\(directory)/other.key")
        ) {
            _ = try tree.directories().tlsConfiguration(forRegistry: host)
        }
        try FileManager.default.removeItem(atPath: "\(directory)/other.cert")
        try FileManager.default.removeItem(atPath: "\(directory)/client.cert")
        let error = #expect(throws: CertificateDirectoryError.self) {
            _ = try tree.directories().tlsConfiguration(forRegistry: host)
        }
        #expect(error == .missingClientCertificate(key: "\(directory)/client.key", certificate: "\(directory)/client.cert"))
        #expect(error?.description.contains("\(directory)/client.key") == true)
        #expect(error?.description.contains("\(directory)/client.cert") == true)
    }

    /// Directory contents that leave TLS unchanged (`nil`), or a hostname that cannot be a directory.
    @Test(arguments: [[], ["README", "notes.txt"], ["ca.pem"]] as [[String]])
    func nothingUsableMeansNoChange(files: [String]) throws {
        let tree = try CertsTree()
        defer { tree.remove() }
        try FileManager.default.createDirectory(atPath: tree.hostDirectory(0), withIntermediateDirectories: true)
        for file in files { try RegistriesFixtures.write("x", to: "\(tree.hostDirectory(0))/\(file)") }
        #expect(try tree.directories().tlsConfiguration(forRegistry: host) == nil)
        #expect(try tree.directories().tlsConfiguration(forRegistry: "../\(host)") == nil)
    }

    @Test func aCrtThatIsNotPEMIsNamed() throws {
        let tree = try CertsTree()
        defer { tree.remove() }
        try RegistriesFixtures.write("\u{30}\u{82}binary", to: "\(tree.hostDirectory(2))/der.crt")
        #expect(throws: CertificateDirectoryError.notPEM("\(tree.hostDirectory(2))/der.crt")) {
            _ = try tree.directories().tlsConfiguration(forRegistry: host)
        }
    }

    @Test func defaultsFollowTheManPage() {
        let directories = CertificateDirectories(environment: ["HOME": "/home/u", "XDG_RUNTIME_DIR": "/run/user/1000"])
        #expect(directories.certDir == nil)
        #expect(
            directories.perHostRoots == [
                "/home/u/.config/containers/certs.d", "/etc/containers/certs.d", "/etc/docker/certs.d",
            ])
        #expect(directories.bundleCacheDirectory == "/run/user/1000/airgap/ca-bundles")
        #expect(CertificateDirectories(certDir: "/x", environment: [:]).certDir == "/x")
        #expect(
            CertificateDirectories(environment: ["TMPDIR": "/scratch"]).bundleCacheDirectory
                == "/scratch/airgap-ca-bundles-\(geteuid())")
    }

    @Test func aCacheDirectoryOthersCanWriteIsRefused() throws {
        let tree = try CertsTree()
        defer { tree.remove() }
        try RegistriesFixtures.write(CertsTree.pem("A"), to: "\(tree.hostDirectory(0))/ca.crt")
        try FileManager.default.createDirectory(
            atPath: "\(tree.root)/cache", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        let error = #expect(throws: CertificateDirectoryError.self) {
            _ = try tree.directories().tlsConfiguration(forRegistry: host)
        }
        #expect(error?.description.contains("writable by no one else") == true)
    }
}
