import Foundation
import OCI

/// Reads an offline archive (see ``BundleLayout``) in one sequential pass, for `inspect`, `verify`
/// and `mirror --from`.
///
/// Archives are gigabytes: every blob is hashed as it streams past and only its size and digest are
/// kept, except the few that can be manifests, indexes or configs (small, starting with `{`), whose
/// bytes are kept up to a total cap. Entries that could escape the extraction directory or are not
/// plain files and directories make the whole archive refused (``BundleReadError/unsafeEntry(archive:entry:reason:)``):
/// whatever reads the archive afterwards must never act on such an entry.
public struct BundleReader: Sendable {
    /// Memory bounds for one read.
    public struct Limits: Sendable, Hashable {
        /// The largest `oci-layout`, `index.json` or `manifest.json` read.
        public var metadataSize: Int
        /// The largest blob kept as a possible manifest, index or config; registries refuse bigger
        /// manifests (distribution caps them at 4 MiB).
        public var smallBlobSize: Int64
        /// The most bytes kept for all such blobs together.
        public var smallBlobsTotal: Int64

        public init(metadataSize: Int = 16 << 20, smallBlobSize: Int64 = 4 << 20, smallBlobsTotal: Int64 = 64 << 20) {
            self.metadataSize = metadataSize
            self.smallBlobSize = smallBlobSize
            self.smallBlobsTotal = smallBlobsTotal
        }
    }

    /// The archive to read.
    public let path: String
    public let limits: Limits
    /// Whether to compute the file's own sha256 on the way (``BundleContents/fileDigest``).
    public let hashingWholeFile: Bool

    public init(path: String, limits: Limits = Limits(), hashingWholeFile: Bool = false) {
        self.path = path
        self.limits = limits
        self.hashingWholeFile = hashingWholeFile
    }

    /// Reads the whole archive once.
    ///
    /// - Throws: ``BundleReadError``: the file is unreadable, not a tar, damaged, over a limit, or
    ///   holds an unsafe entry.
    public func read() throws(BundleReadError) -> BundleContents {
        let size = try checkFile()
        var pass = Pass(
            archive: path, limits: limits, hashingWholeFile: hashingWholeFile,
            contents: BundleContents(archivePath: path, archiveSize: size))
        do {
            try pass.run()
        } catch let error as BundleReadError {
            throw error
        } catch let error as ArchiveError {
            throw pass.explain(error)
        } catch {
            throw .damaged(archive: path, entry: pass.currentEntry, reason: "\(error)")
        }
        return pass.contents
    }

    /// Refuses what is not a readable, non-empty, uncompressed file before libarchive sees it, with a
    /// message that says what it is instead; returns the file's size.
    private func checkFile() throws(BundleReadError) -> Int64 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(archive: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw .unreadable(archive: path, reason: "it is a directory, not an archive file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .unreadable(archive: path, reason: "permission denied")
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
        guard size > 0 else { throw .notAnArchive(archive: path, reason: "the file is empty") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(archive: path, reason: "it cannot be opened")
        }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        if magic.starts(with: [0x1f, 0x8b]) {
            throw .notAnArchive(archive: path, reason: "it is gzip-compressed (run gunzip on it first)")
        }
        if magic.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) {
            throw .notAnArchive(archive: path, reason: "it is zstd-compressed (run unzstd on it first)")
        }
        return size
    }
}

extension BundleReader {
    /// Why an entry of this kind is refused, or `nil` for a plain file or directory.
    static func refusal(of entry: TarEntry) -> String? {
        switch entry.kind {
        case .regular, .directory: nil
        case .symbolicLink: "it is a symbolic link to \"\(entry.linkTarget ?? "")\""
        case .hardLink: "it is a hard link to \"\(entry.linkTarget ?? "")\""
        case .sparse:
            "it is a sparse file (what the tar stores is not its \(entry.size) bytes of content, so it cannot be "
                + "read or sent as stored)"
        case .other: "it is not a regular file or directory (a device, FIFO or socket)"
        }
    }

    /// The state of one read, entry by entry.
    private struct Pass {
        let archive: String
        let limits: Limits
        let hashingWholeFile: Bool
        var contents: BundleContents
        /// The entry being read, for error messages.
        var currentEntry: String?
        private var seen: Set<String> = []
        private var duplicates: Set<String> = []
        private var keptBytes: Int64 = 0

        init(archive: String, limits: Limits, hashingWholeFile: Bool, contents: BundleContents) {
            self.archive = archive
            self.limits = limits
            self.hashingWholeFile = hashingWholeFile
            self.contents = contents
        }

        mutating func run() throws {
            let tar = try TarReader(path: archive, hashingWholeFile: hashingWholeFile)
            while let entry = try tar.next() {
                contents.entryCount += 1
                currentEntry = entry.name
                let name = try safeName(of: entry)
                currentEntry = name
                if entry.kind == .directory {
                    if !["", BundleLayout.blobsDirectory, BundleLayout.sha256Directory].contains(name) {
                        contents.strayEntries.append(name + "/")
                    }
                    continue
                }
                noteDuplicate(name)
                switch name {
                case BundleLayout.ociLayoutFile:
                    contents.ociLayoutVersion = parseLayout(try readMetadata(tar, name))
                case BundleLayout.ociIndexFile:
                    contents.index = parseIndex(try readMetadata(tar, name))
                case BundleLayout.dockerManifestFile:
                    contents.dockerManifest = parseDockerManifest(try readMetadata(tar, name))
                default:
                    if let digest = BundleLayout.digest(forBlobPath: name) {
                        try readBlob(tar, name: name, digest: digest, declaredSize: entry.size)
                    } else {
                        contents.strayEntries.append(name)
                    }
                }
            }
            currentEntry = nil
            contents.fileDigest = try tar.wholeFileDigest()
            // A delta's empty stand-ins for the layers it left out are not blobs it holds.
            if contents.deltaBases != nil {
                for blob in contents.blobs.values where BundleLayout.isPlaceholder(digest: blob.digest, size: blob.size) {
                    contents.blobs[blob.digest] = nil
                    contents.placeholders.insert(blob.digest)
                }
            }
        }

        /// The entry's name with `./` and doubled slashes removed, or an error when the entry is not
        /// a plain file or directory below the archive root.
        private func safeName(of entry: TarEntry) throws(BundleReadError) -> String {
            func refuse(_ reason: String) -> BundleReadError {
                .unsafeEntry(archive: archive, entry: entry.name, reason: reason)
            }
            if entry.name.isEmpty { throw refuse("the entry has no name") }
            if entry.name.hasPrefix("/") { throw refuse("it is an absolute path") }
            let components = entry.name.split(separator: "/").filter { $0 != "." }
            if components.contains("..") { throw refuse("its name climbs out of the archive with \"..\"") }
            if let reason = BundleReader.refusal(of: entry) { throw refuse(reason) }
            let name = components.joined(separator: "/")
            if name.isEmpty && entry.kind != .directory { throw refuse("the entry has no name") }
            return name
        }

        private mutating func noteDuplicate(_ name: String) {
            if !seen.insert(name).inserted, duplicates.insert(name).inserted {
                contents.duplicateEntries.append(name)
            }
        }

        private func readMetadata(_ tar: TarReader, _ name: String) throws -> Data {
            do {
                return try tar.readSmallData(limit: limits.metadataSize)
            } catch let error as ArchiveError where error.message.hasPrefix("entry exceeds") {
                throw BundleReadError.metadataTooLarge(archive: archive, entry: name, limit: limits.metadataSize)
            }
        }

        /// Hashes the blob while it streams past, keeping its bytes only when they may be JSON.
        private mutating func readBlob(_ tar: TarReader, name: String, digest: Digest, declaredSize: Int64) throws {
            var digester = SHA256Digester()
            var kept: Data?
            var decided = false
            if declaredSize <= limits.smallBlobSize {
                kept = Data()
                kept?.reserveCapacity(Int(declaredSize))
            }
            let budget = limits.smallBlobsTotal - keptBytes
            try tar.readData { chunk in
                digester.update(chunk)
                guard kept != nil else { return }
                if !decided, let first = chunk.first(where: { !Self.isBlank($0) }) {
                    decided = true
                    guard first == UInt8(ascii: "{") else {
                        kept = nil
                        return
                    }
                    guard declaredSize <= budget else {
                        throw BundleReadError.tooManySmallBlobs(archive: archive, entry: name, limit: limits.smallBlobsTotal)
                    }
                }
                kept?.append(contentsOf: chunk)
            }
            let blob = BundleContents.Blob(
                entry: name, digest: digest, size: digester.byteCount, computedDigest: digester.finalize())
            contents.blobs[digest] = blob
            // A duplicate entry replaces the first: drop what the earlier one kept.
            if let previous = contents.smallBlobs.removeValue(forKey: digest) { keptBytes -= Int64(previous.count) }
            if decided, blob.isIntact, let kept {
                contents.smallBlobs[digest] = kept
                keptBytes += Int64(kept.count)
            }
        }

        private static func isBlank(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d
        }

        private func parseLayout(_ data: Data) -> BundleContents.Document<String> {
            struct Layout: Decodable { var imageLayoutVersion: String }
            do {
                return .parsed(try JSONDecoder().decode(Layout.self, from: data).imageLayoutVersion)
            } catch {
                return .malformed(JSONFailure.describe(error))
            }
        }

        private func parseIndex(_ data: Data) -> BundleContents.Document<ImageIndex> {
            do {
                switch try ManifestDocument(decoding: data, contentType: .ociImageIndex) {
                case .index(let index): return .parsed(index)
                case .image: return .malformed("it is an image manifest, not an image index")
                }
            } catch {
                return .malformed(error.description)
            }
        }

        private func parseDockerManifest(_ data: Data) -> BundleContents.Document<[DockerArchiveEntry]> {
            do {
                return .parsed(try JSONDecoder().decode([DockerArchiveEntry].self, from: data))
            } catch {
                return .malformed(JSONFailure.describe(error))
            }
        }

        /// Names what a libarchive failure means for this archive: before the first entry, that the
        /// file is no tar at all; later, that it is damaged.
        func explain(_ error: ArchiveError) -> BundleReadError {
            switch error.operation {
            // libarchive reads the first header while opening, to recognize the format.
            case "open" where error.message.hasPrefix("Failed to open"):
                .unreadable(archive: archive, reason: error.message)
            case "open":
                .notAnArchive(archive: archive, reason: error.message)
            case "read header" where contents.entryCount == 0:
                .notAnArchive(archive: archive, reason: error.message)
            default:
                .damaged(archive: archive, entry: currentEntry, reason: error.message)
            }
        }
    }
}
