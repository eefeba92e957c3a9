import Foundation
import OCI
import Testing

@testable import Registry

/// Ctrl-C, SIGTERM, SIGHUP and SIGQUIT during `airgap mirror` while one side hangs mid-request (a
/// server that accepts and never answers), sent once airgap has connected to it: a prompt exit with
/// 128 + N, nothing unverified in the cache, and a rerun against the real registries completes.
@Suite struct MirrorInterruptionTests {
    enum SilentSide: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case source, destination
        var testDescription: String { "silent \(rawValue)" }
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP, SIGQUIT], SilentSide.allCases)
    func aSignalEndsTheMirrorAndARerunCompletes(signal: Int32, silent side: SilentSide) async throws {
        let registry = try TestRegistry.plain()
        let repository = TestRegistry.uniqueRepository("mirror-signal")
        let image = try await registry.pushImage(repository: repository, tag: "v1", layers: [TestRegistry.randomData(200_000), TestRegistry.randomData(3000)])
        let prefix = "mirrored-\(UUID().uuidString.lowercased().prefix(8))"
        let silent = try SilentServer()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-mirror-signal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = directory + "/cache"

        let source = side == .source ? "127.0.0.1:\(silent.port)/\(repository):v1" : image.reference.description
        let destination = side == .destination ? "127.0.0.1:\(silent.port)/\(prefix)" : "\(registry.host)/\(prefix)"
        let interrupted = try await AirgapBinary.run(
            ["mirror", source, destination, "--tls-verify=false", "--cache", cache],
            interruptingWith: signal, once: { silent.hasWaitingConnection })
        #expect(interrupted.status == 128 + signal, "stderr: \(interrupted.stderr)")
        #expect(interrupted.stderr.contains("interrupted"))
        #expect(try CacheAudit.unverifiedBlobs(in: cache).isEmpty, "every blob in the cache matches its name")
        withExtendedLifetime(silent) {}

        let rerun = try AirgapBinary.run(["mirror", image.reference.description, "\(registry.host)/\(prefix)", "--tls-verify=false", "--cache", cache])
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
        let mirrored = try ImageReference("\(registry.host)/\(prefix)/\(repository):v1")
        let client = RegistryClient(endpoint: RegistryEndpoint(host: registry.host, usesPlainHTTP: true))
        #expect(try await client.resolve(mirrored).digest == image.manifest.digest)
        #expect(try CacheAudit.unverifiedBlobs(in: cache).isEmpty)
    }
}
