import Foundation
import OCI

/// Checks an offline archive read by ``BundleReader`` and reports every problem, not just the first:
/// each blob against its name and against every descriptor pointing at it, the OCI view
/// (`oci-layout`, `index.json` down to every layer), the docker view (`manifest.json`), and that the
/// two views name the same images with the same configs and layers.
///
/// The checks follow what the loaders need (FIELD-NOTES.md, "What the loaders accept"): a loader
/// that meets any error here either fails or loads something other than what was bundled.
public struct BundleVerifier: Sendable {
    public let contents: BundleContents
    /// For a delta: the base archives its left-out layers must be in (`verify --base`), already read.
    public let bases: [BundleContents]
    /// What the whole file must hash to (its checksum file, or a `.parts` list), and where that was
    /// recorded; checked against ``BundleContents/fileDigest``.
    public let expectedFileDigest: (digest: Digest, recordedIn: String)?

    public init(contents: BundleContents, bases: [BundleContents] = [], expectedFileDigest: (digest: Digest, recordedIn: String)? = nil) {
        self.contents = contents
        self.bases = bases
        self.expectedFileDigest = expectedFileDigest
    }

    /// Reads and verifies the archive at `path`, and the whole file against its checksum file
    /// (``ChecksumFile``) when one is beside it. `bases` are a delta's base archives, read and
    /// hashed too. An unsafe entry is reported as the one problem of the archive (nothing else in
    /// it can be trusted); other read failures throw.
    public static func verify(
        archiveAt path: String, limits: BundleReader.Limits = BundleReader.Limits(), bases basePaths: [String] = [],
        expectedFileDigest: (digest: Digest, recordedIn: String)? = nil
    ) throws(BundleReadError) -> BundleVerification {
        var expected = expectedFileDigest
        var checksumProblem: BundleProblem?
        if expected == nil {
            let sidecar = ChecksumFile.path(for: path)
            do {
                expected = try ChecksumFile.recorded(for: path).map { ($0, sidecar) }
            } catch {
                checksumProblem = .error(.invalidChecksumFile, sidecar, "\(error); the archive itself is checked below")
            }
        }
        let contents: BundleContents
        var bases: [BundleContents] = []
        do {
            contents = try BundleReader(path: path, limits: limits, hashingWholeFile: expected != nil).read()
            for base in basePaths { bases.append(try BundleReader(path: base, limits: limits).read()) }
        } catch {
            guard let problem = BundleProblem(error) else { throw error }
            return BundleVerification(archive: path, images: 0, blobs: 0, bytes: 0, problems: [problem])
        }
        var result = BundleVerifier(contents: contents, bases: bases, expectedFileDigest: expected).verify()
        if let checksumProblem {
            result = BundleVerification(
                archive: result.archive, images: result.images, blobs: result.blobs, bytes: result.bytes,
                problems: [checksumProblem] + result.problems, delta: result.delta, checksumFile: result.checksumFile)
        }
        return result
    }

    /// Runs every check.
    public func verify() -> BundleVerification {
        let (problems, report) = runChecks()
        let delta = contents.deltaBases.map { bases in
            BundleVerification.DeltaSummary(
                bases: bases, leftOutLayers: report.leftOut.count, leftOutBytes: report.leftOut.values.reduce(0, +),
                checkedAgainst: self.bases.map(\.archivePath))
        }
        return BundleVerification(
            archive: contents.archivePath, images: contents.index.value?.manifests.count ?? 0, blobs: contents.blobs.count,
            bytes: contents.blobBytes, problems: problems, delta: delta, checksumFile: expectedFileDigest?.recordedIn)
    }

    /// Every problem, in the order the checks ran: blobs, `oci-layout`, `index.json`, `manifest.json`,
    /// then the entries no image uses. Each distinct problem once.
    public func problems() -> [BundleProblem] {
        run().problems
    }

    /// What one run of the checks did, counted: the work grows with the images an archive names,
    /// and these counts are how tests see that it grows linearly without timing anything.
    struct Work: Sendable, Hashable, CustomStringConvertible {
        /// `index.json` images looked at: once per check of each image, and once per name lookup.
        var imagesExamined = 0
        /// Manifests, indexes and configs decoded from JSON.
        var documentsDecoded = 0

        var description: String { "\(imagesExamined) images examined, \(documentsDecoded) documents decoded" }
    }

    /// Runs every check; returns the problems and the work it took.
    func run() -> (problems: [BundleProblem], work: Work) {
        let (problems, report) = runChecks()
        return (problems, report.work)
    }

    private func runChecks() -> ([BundleProblem], Report) {
        var report = Report(contents.images)
        checkFileDigest(&report)
        checkDeltaBases(&report)
        checkBlobContents(&report)
        checkLayoutFile(&report)
        checkIndex(&report)
        checkDockerManifest(&report)
        checkEntries(&report)
        report.work.documentsDecoded = report.decoded.decodeCount
        return (report.problems, report)
    }

    /// Problems found so far, the blobs something points at, and what every check shares: the
    /// `index.json` images (``BundleContents/images`` builds them anew on each call), found by name
    /// through one dictionary, and each document decoded once.
    struct Report {
        private(set) var problems: [BundleProblem] = []
        private var seen: Set<BundleProblem> = []
        var referenced: Set<Digest> = []
        /// Layers a delta left out (and its bases hold, when they were given), with their sizes.
        var leftOut: [Digest: Int64] = [:]
        /// Left-out layers already reported missing from the bases.
        var missingFromBase: Set<Digest> = []
        let images: [BundleContents.Image]
        /// Images by either of their name annotations, in `index.json` order.
        private let imagesByName: [String: [BundleContents.Image]]
        let decoded = DecodedDocuments()
        var work = Work()

        init(_ images: [BundleContents.Image]) {
            self.images = images
            var byName: [String: [BundleContents.Image]] = [:]
            for image in images {
                for name in Set([image.referenceName, image.containerdName].compactMap { $0 }) {
                    byName[name, default: []].append(image)
                }
            }
            imagesByName = byName
        }

        mutating func add(_ problem: BundleProblem) {
            if seen.insert(problem).inserted { problems.append(problem) }
        }

        /// The images either of whose names is `name`.
        mutating func images(named name: String) -> [BundleContents.Image] {
            let found = imagesByName[name] ?? []
            work.imagesExamined += found.count
            return found
        }
    }

    // MARK: - The archive as a whole

    private func checkFileDigest(_ report: inout Report) {
        guard let expected = expectedFileDigest, let actual = contents.fileDigest, actual != expected.digest else { return }
        report.add(
            .error(
                .checksumMismatch, contents.archivePath,
                "\(contents.archivePath) hashes to \(actual), not to the \(expected.digest) that \(expected.recordedIn) records: "
                    + "the file was damaged or cut short on the way; copy it again"))
    }

    private func checkDeltaBases(_ report: inout Report) {
        guard !bases.isEmpty, contents.index.value != nil, contents.deltaBases == nil else { return }
        report.add(
            .warning(
                .missingFromBase, contents.archivePath,
                "\(contents.archivePath) is a full archive, not a delta: it needs no base, and the bases given were not used"))
    }

    /// Whether a layer the archive lacks was left out on purpose: the archive is a delta, and
    /// (when base archives were given) one of them holds the layer intact. Reports the layer
    /// missing from the bases otherwise.
    func leftOutByDelta(_ descriptor: Descriptor, label: String, _ report: inout Report) -> Bool {
        guard contents.deltaBases != nil else { return false }
        if !bases.isEmpty {
            let held = bases.contains { base in
                base.blobs[descriptor.digest].map { $0.isIntact && $0.size == descriptor.size } ?? false
            }
            guard held else {
                // Once per layer, however many images use it.
                if report.missingFromBase.insert(descriptor.digest).inserted {
                    let names = bases.map(\.archivePath).joined(separator: ", ")
                    report.add(
                        .error(
                            .missingFromBase, descriptor.digest.description,
                            "layer \(descriptor.digest) (of \(label)), left out of the delta, is not in \(names) (or is damaged "
                                + "there): this delta was made against another base"))
                }
                return true
            }
        }
        report.leftOut[descriptor.digest] = descriptor.size
        return true
    }

    private func checkBlobContents(_ report: inout Report) {
        for blob in contents.blobs.values.sorted(by: { $0.entry < $1.entry }) where !blob.isIntact {
            report.add(
                .error(
                    .digestMismatch, blob.entry,
                    "\(blob.entry) is corrupt: its \(blob.size) bytes hash to \(blob.computedDigest), not to the digest "
                        + "in its name; copy the archive again, or bundle the images anew"))
        }
    }

    private func checkLayoutFile(_ report: inout Report) {
        let file = BundleLayout.ociLayoutFile
        switch contents.ociLayoutVersion {
        case .absent:
            report.add(
                .error(
                    .missingOCILayout, file,
                    "\(contents.archivePath) has no \(file) file: it is not an OCI image layout, so skopeo "
                        + "oci-archive: and ctr images import cannot read it"))
        case .malformed(let reason):
            report.add(.error(.invalidOCILayout, file, "\(file) is not {\"imageLayoutVersion\":\"1.0.0\"}: \(reason)"))
        case .parsed(let version) where version != "1.0.0":
            report.add(
                .error(
                    .invalidOCILayout, file, "\(file) says imageLayoutVersion \(version); loaders read version 1.0.0 only"))
        case .parsed:
            break
        }
    }

    private func checkEntries(_ report: inout Report) {
        for name in contents.duplicateEntries {
            report.add(
                .error(
                    .duplicateEntry, name,
                    "\(name) occurs more than once in the archive; loaders disagree on which copy counts"))
        }
        for name in contents.strayEntries {
            let why =
                name.hasPrefix(BundleLayout.blobsDirectory + "/")
                ? "is not a blobs/sha256/<64 hex digits> name, so airgap cannot verify it"
                : "is no part of an OCI layout or docker archive"
            report.add(.warning(.strayEntry, name, "\(name) \(why); loaders ignore it"))
        }
        // Without both views, "unused" would only repeat that a view is missing.
        guard contents.index.value != nil, contents.dockerManifest.value != nil else { return }
        for blob in contents.blobs.values.sorted(by: { $0.entry < $1.entry }) where !report.referenced.contains(blob.digest) {
            report.add(.warning(.unusedBlob, blob.entry, "\(blob.entry) (\(blob.size) bytes) is used by no image"))
        }
    }
}
