import Foundation
import OCI
import Registry
import Testing

/// Issue 14, "Failures a user can act on" and "Results for scripts and people": every image that
/// cannot be resolved in one run, --keep-going, --output json, a registry that refuses or never
/// answers, retry notices in plain words. Through the binary, against the plain test registry.
@Suite struct UserPathTests {
    let registry: TestRegistry
    let directory: String

    init() throws {
        registry = try TestRegistry.plain()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-userpath-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    private func run(_ arguments: [String]) throws -> AirgapBinary.Result {
        try AirgapBinary.run(arguments + ["--cache", directory + "/cache"])
    }

    private func good() async throws -> TestRegistry.PushedImage {
        try await registry.pushImage(repository: TestRegistry.uniqueRepository("userpath"), tag: "v1", layers: [TestRegistry.randomData(5_000)])
    }

    @Test func everyImageThatCannotBeResolvedIsReportedAndNothingWritten() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await good()
        let missingA = "\(registry.host)/userpath/no-such-a:1", missingB = "\(registry.host)/userpath/no-such-b:2"
        let result = try run(["bundle", image.reference.description, missingA, missingB, "--tls-verify=false", "-o", directory + "/images.tar"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("2 of 3 images cannot be bundled"), "\(result.stderr)")
        #expect(result.stderr.contains(missingA) && result.stderr.contains(missingB), "each by name: \(result.stderr)")
        #expect(result.stderr.contains("--keep-going"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0 != "cache" }.isEmpty, "nothing written")
    }

    @Test func keepGoingWritesTheOthersListsTheFailuresAndExitsOne() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await good()
        let missing = "\(registry.host)/userpath/no-such:1"
        let result = try run(["bundle", image.reference.description, missing, "--tls-verify=false", "--keep-going", "-o", directory + "/images.tar"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("left out \(missing)"), "\(result.stderr)")
        let listing = try AirgapBinary.run(["inspect", directory + "/images.tar", "--output", "json"])
        #expect(listing.status == 0)
        #expect(listing.stdout.contains(image.reference.description) && !listing.stdout.contains("no-such"))
        #expect(try AirgapBinary.run(["verify", directory + "/images.tar"]).status == 0)
    }

    @Test func bundleSaysWhatItDidAsJSON() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await good()
        let missing = "\(registry.host)/userpath/no-such:1"
        let result = try run([
            "bundle", image.reference.description, missing, "--tls-verify=false", "--keep-going", "--output", "json", "-o", directory + "/images.tar",
        ])
        #expect(result.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout is one JSON object: \(result.stdout)")
        let images = try #require(report["images"] as? [[String: Any]])
        #expect(images.count == 2)
        let bundled = try #require(images.first { $0["outcome"] as? String == "bundled" })
        #expect(bundled["reference"] as? String == image.reference.description)
        #expect(bundled["digest"] as? String == image.manifest.digest.description)
        let failed = try #require(images.first { $0["outcome"] as? String == "failed" })
        #expect(failed["reference"] as? String == missing)
        #expect((failed["error"] as? String)?.isEmpty == false)
        #expect(report["failures"] as? Int == 1)
        #expect(report["output"] as? String == directory + "/images.tar")
        #expect((report["bytes"] as? Int ?? 0) > 0)
    }

    @Test func mirrorSaysWhatItDidAsJSON() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await good()
        let destination = "\(registry.host)/\(TestRegistry.uniqueRepository("userpath-copy")):v1"
        let arguments = ["mirror", image.reference.description, destination, "--tls-verify=false", "--output", "json"]
        let first = try run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any], "\(first.stdout)")
        let images = try #require(report["images"] as? [[String: Any]])
        #expect(images.first?["outcome"] as? String == "copied")
        #expect(images.first?["destination"] as? String == destination)
        #expect(images.first?["digest"] as? String == image.manifest.digest.description)
        #expect((report["blobs"] as? [String: Any])?["uploaded"] as? Int == 2)

        let second = try run(arguments)
        let again = try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any]
        #expect((again?["images"] as? [[String: Any]])?.first?["outcome"] as? String == "up-to-date")
    }

    /// Nothing listens at the port: an error at once, saying so, with no retries.
    @Test func aRegistryThatRefusesConnectionsFailsAtOnceSayingNothingListens() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let closed = try ClosedPort.find()
        let result = try run(["bundle", "127.0.0.1:\(closed)/userpath/x:1", "-o", directory + "/images.tar"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("nothing listens there"), "\(result.stderr)")
        #expect(result.stderr.contains("127.0.0.1:\(closed)"), "names the host and port: \(result.stderr)")
        #expect(!result.stderr.contains("again in") && !result.stderr.contains("retrying"), "no retries: \(result.stderr)")
    }

    /// A host that takes the connection and never answers fails with --stall-timeout, saying so.
    @Test func aRegistryThatNeverAnswersFailsWithinTheStallTimeout() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let silent = try SilentServer()
        let result = try run([
            "bundle", "127.0.0.1:\(silent.port)/userpath/x:1", "--retry-times", "0", "--stall-timeout", "2", "-o", directory + "/images.tar",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("did not answer"), "\(result.stderr)")
    }

    /// A retried call says so in the same plain words as a retried blob, not as a log record.
    @Test func retryNoticesArePlainLines() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await good()
        let proxy = try FaultProxy(upstream: registry.host, rules: [.init(nil, "/manifests/", "status", times: 1, status: 503)])
        defer { proxy.stop() }
        let result = try run([
            "bundle", image.reference.description, "--mirror", "\(registry.host)=\(proxy.host)", "--tls-verify=false", "-o", directory + "/images.tar",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let line = result.stderr.split(separator: "\n").first { $0.contains("retrying") }
        #expect(line?.hasPrefix("retrying ") == true, "\(result.stderr)")
        #expect(line?.contains("attempt 2 of 5") == true, "\(result.stderr)")
        #expect(!result.stderr.contains("warning airgap"), "not a log record: \(result.stderr)")
    }
}
