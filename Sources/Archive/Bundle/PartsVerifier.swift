import Foundation
import OCI

/// The outcome of verifying a set of parts (`verify NAME.parts`): each part as an archive of its
/// own, checked against the list's size and sha256 for it, and the set as a whole.
public struct PartsVerification: Sendable, Hashable, Codable {
    /// The `.parts` file.
    public var list: String
    /// Each part that is there, verified, in the list's order.
    public var parts: [BundleVerification]
    /// Problems of the set: parts missing, or not the ones the list names.
    public var problems: [BundleProblem]

    /// Whether every part is there, matches the list, and verified without errors.
    public var valid: Bool {
        !problems.contains { $0.severity == .error } && parts.allSatisfy(\.valid)
    }

    public var images: Int { parts.reduce(0) { $0 + $1.images } }
}

public enum PartsVerifier {
    /// Verifies every part `listPath` names; for a set of delta parts, against the archives at
    /// `bases` (read once for all parts). A part that cannot be read at all is a problem of the
    /// set, not a thrown error: the other parts are still checked.
    public static func verify(
        listAt listPath: String, bases basePaths: [String] = [], limits: BundleReader.Limits = BundleReader.Limits()
    ) throws -> PartsVerification {
        let list = try ArchiveParts.read(listPath)
        let bases = try basePaths.map { try BundleReader(path: $0, limits: limits).read() }
        var result = PartsVerification(list: listPath, parts: [], problems: [])
        for (part, path) in zip(list.parts, list.archivePaths(relativeTo: listPath)) {
            func mismatch(_ message: String) {
                result.problems.append(.error(.partMismatch, part.file, message))
            }
            var info = stat()
            guard stat(path, &info) == 0 else {
                mismatch("\(part.file), listed in \(listPath), is missing: copy it next to the list")
                continue
            }
            guard Int64(info.st_size) == part.size else {
                mismatch("\(part.file) is \(info.st_size) bytes, but \(listPath) says \(part.size): it was cut short or is another file; copy it again")
                continue
            }
            let contents: BundleContents
            do {
                contents = try BundleReader(path: path, limits: limits, hashingWholeFile: true).read()
            } catch {
                if let problem = BundleProblem(error) {
                    result.parts.append(BundleVerification(archive: path, images: 0, blobs: 0, bytes: 0, problems: [problem]))
                } else {
                    mismatch("\(part.file): \(error)")
                }
                continue
            }
            let verification = BundleVerifier(contents: contents, bases: bases, expectedFileDigest: (part.sha256, listPath)).verify()
            result.parts.append(verification)
            let names = Set(contents.images.map(\.label))
            if verification.valid, names != Set(part.images) {
                mismatch("\(part.file) holds other images than \(listPath) lists for it: it is a part of another set")
            }
        }
        return result
    }
}
