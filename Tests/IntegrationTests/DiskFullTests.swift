import Foundation
import Testing

@testable import Registry

/// `airgap bundle` onto a full disk: a 2 MiB tmpfs holds either the output archive or the cache,
/// and the image is bigger than that. With the output there, the run fails at once with an error
/// that says the disk is full (the archive's space is reserved before any download) and leaves
/// nothing at or beside the output path. With the cache there, the archive (written straight from
/// the downloads) is still complete and sound, a warning says the cache could not keep the blobs,
/// and no partial blob is promoted in the cache.
/// Mounting needs root (as here and in CI); a failed mount fails the test, it never skips.
@Suite struct DiskFullTests {
    enum FullDisk: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case output, cache
        var testDescription: String { "\(rawValue) on a full disk" }
    }

    @Test(arguments: FullDisk.allCases)
    func aFullDiskIsAClearErrorAndLeavesNothingHalfWritten(_ full: FullDisk) async throws {
        let registry = try TestRegistry.plain()
        let repository = TestRegistry.uniqueRepository("disk-full")
        // 3 MiB of incompressible layers against 2 MiB of space.
        let image = try await registry.pushImage(
            repository: repository, tag: "big", layers: (0..<3).map { _ in TestRegistry.randomData(1 << 20) })
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-disk-full-\(UUID().uuidString)").path
        let small = directory + "/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try SmallDisk.mount(at: small, size: "2m")
        defer { SmallDisk.unmount(small) }

        let outputDirectory = full == .output ? small : directory + "/out"
        let cache = full == .cache ? small + "/cache" : directory + "/cache"
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let result = try AirgapBinary.run([
            "bundle", image.reference.description, "--tls-verify=false", "--cache", cache, "-o", outputDirectory + "/images.tar",
        ])

        #expect(result.stderr.contains("No space left on device"), "stderr: \(result.stderr)")
        #expect(try CacheAudit.unverifiedBlobs(in: cache).isEmpty, "no partial blob promoted under its digest")
        if full == .cache {
            #expect(result.status == 0, "the archive does not depend on the cache: \(result.stderr)")
            #expect(result.stderr.contains("not kept in the cache") && result.stderr.contains("--cache DIR"), "says what to do: \(result.stderr)")
            #expect(try CacheAudit.blobCount(in: cache) < 5, "not every blob fits, so some cannot be in the cache")
            #expect(try AirgapBinary.run(["verify", outputDirectory + "/images.tar"]).status == 0)
        } else {
            #expect(result.status == 1)
            #expect(
                result.stderr.split(separator: "\n").contains { $0.hasPrefix("error: \(outputDirectory)/images.tar: ") },
                "names the output, not its temporary file: \(result.stderr)")
            let beside = try FileManager.default.contentsOfDirectory(atPath: outputDirectory).filter { $0 != "cache" }
            #expect(beside.isEmpty, "nothing at or beside the output path: \(beside)")
        }
    }
}

/// A tmpfs of a fixed size, mounted over a test's own directory.
enum SmallDisk {
    struct MountFailed: Error, CustomStringConvertible {
        let path: String
        let output: String
        var description: String {
            "mount -t tmpfs on \(path) failed (\(output)); the disk-full tests need root (or CAP_SYS_ADMIN) to mount a small tmpfs"
        }
    }

    static func mount(at path: String, size: String) throws {
        let (status, output) = run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        guard status == 0 else { throw MountFailed(path: path, output: output) }
    }

    /// Lazily, so a file a failed test left open cannot keep the mount (and the directory) alive.
    static func unmount(_ path: String) {
        _ = run("/bin/umount", ["-l", path])
    }

    private static func run(_ executable: String, _ arguments: [String]) -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
