import Dispatch
import Foundation

/// Reads the snapshots of one side of a run (`--before` or `--after`) from files and directories.
///
/// How nodes get their names, so that the same node matches before and after:
/// - a file inside a directory, or one of several files given together, is one node, named by
///   the file name without its extension (`before/worker-0.json` is `worker-0`), as
///   `airgap inventory snapshot-script` writes them;
/// - a single file given alone may hold one output or the concatenated outputs of a loop over
///   the nodes (the seed's). Each output is named from the `Starting pod/NAME-debug` line before
///   it when `oc debug`'s messages were kept (`2>&1`), else by its position: `#1`, `#2`, … (the
///   loop visits `oc get nodes` in the same order before and after).
public enum SnapshotLoader {
    /// The extensions dropped from file names to name nodes.
    static let extensions = ["json", "yaml", "yml", "txt", "log", "out"]

    /// Reads every snapshot under `paths`. Hidden files in directories (`.worker-0.json.tmp`) are
    /// skipped: they are the collection script's unfinished writes.
    public static func load(_ paths: [String]) throws(SnapshotError) -> [NodeSnapshot] {
        var jobs: [Job] = []
        for path in paths {
            let isDirectory: Bool
            do { isDirectory = try FileReading.isDirectory(path) } catch { throw .unreadable(path: path, reason: error.reason) }
            if isDirectory {
                let names: [String]
                do { names = try FileReading.entries(of: path) } catch { throw .unreadable(path: path, reason: error.reason) }
                let files = names.filter { !$0.hasPrefix(".") }.map { path.hasSuffix("/") ? path + $0 : "\(path)/\($0)" }
                    .filter { (try? FileReading.isDirectory($0)) == false }
                guard !files.isEmpty else { throw .emptyDirectory(path: path) }
                jobs += files.map(Job.nodeFile)
            } else {
                jobs.append(paths.count > 1 ? .nodeFile(path) : .outputs(path))
            }
        }
        var snapshots: [NodeSnapshot] = []
        // Reported in the order given, so the same input always names the same first error.
        for result in run(jobs) { snapshots += try result.get() }
        try checkDistinct(snapshots)
        return snapshots
    }

    /// A file to read: one node's, or one that may hold several outputs.
    enum Job: Sendable {
        case nodeFile(String)
        case outputs(String)
    }

    /// Reads and parses the files on every core (a 500-node snapshot set is 1000 files), each
    /// worker taking every n-th file with its own string interner.
    private static func run(_ jobs: [Job]) -> [Result<[NodeSnapshot], SnapshotError>] {
        let results = ResultSlots(count: jobs.count)
        let workers = max(1, min(jobs.count, ProcessInfo.processInfo.activeProcessorCount))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let interner = StringInterner()
            for index in stride(from: worker, to: jobs.count, by: workers) {
                let result: Result<[NodeSnapshot], SnapshotError>
                do throws(SnapshotError) {
                    switch jobs[index] {
                    case .nodeFile(let path): result = .success([try nodeFile(path, interner: interner)])
                    case .outputs(let path): result = .success(try parse(try read(path), source: path, interner: interner))
                    }
                } catch {
                    result = .failure(error)
                }
                results.set(index, result)
            }
        }
        return results.values
    }

    /// The snapshots in one file's text, named as a single file given alone is (see the type's
    /// documentation).
    public static func parse(_ bytes: [UInt8], source: String) throws(SnapshotError) -> [NodeSnapshot] {
        try parse(bytes, source: source, interner: StringInterner())
    }

    static func parse(_ bytes: [UInt8], source: String, interner: StringInterner) throws(SnapshotError) -> [NodeSnapshot] {
        let outputs = try SnapshotFileParser.parse(bytes, source: source, interner: interner)
        guard !outputs.isEmpty else { throw .empty(source: source) }
        let snapshots = outputs.enumerated().map { index, output in
            NodeSnapshot(
                node: output.podName.map(SnapshotFileParser.node(forPod:)) ?? "#\(index + 1)",
                images: output.images,
                origin: outputs.count == 1 ? source : "\(source):\(output.line)")
        }
        try checkDistinct(snapshots)
        return snapshots
    }

    /// The node name a file stands for: its name without directory and extension.
    public static func nodeName(forFile path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex,
            extensions.contains(name[name.index(after: dot)...].lowercased())
        else { return name }
        return String(name[..<dot])
    }

    private static func nodeFile(_ path: String, interner: StringInterner) throws(SnapshotError) -> NodeSnapshot {
        let outputs = try SnapshotFileParser.parse(try read(path), source: path, interner: interner)
        guard let output = outputs.first else { throw .empty(source: path) }
        guard outputs.count == 1 else { throw .severalOutputsInNodeFile(source: path, count: outputs.count) }
        return NodeSnapshot(node: nodeName(forFile: path), images: output.images, origin: path)
    }

    private static func read(_ path: String) throws(SnapshotError) -> [UInt8] {
        do { return try FileReading.bytes(atPath: path) } catch { throw .unreadable(path: path, reason: error.reason) }
    }

    private static func checkDistinct(_ snapshots: [NodeSnapshot]) throws(SnapshotError) {
        var seen: [String: String] = [:]
        for snapshot in snapshots {
            if let first = seen[snapshot.node] {
                throw .duplicateNode(node: snapshot.node, first: first, second: snapshot.origin)
            }
            seen[snapshot.node] = snapshot.origin
        }
    }
}

/// One result per job, filled from several threads.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<[NodeSnapshot], SnapshotError>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<[NodeSnapshot], SnapshotError>) {
        lock.withLock { slots[index] = result }
    }

    var values: [Result<[NodeSnapshot], SnapshotError>] {
        lock.withLock { slots.map { $0 ?? .success([]) } }
    }
}
