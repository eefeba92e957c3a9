import Foundation

/// The user's own suites: image lists derived with `airgap inventory diff` and saved with
/// `airgap inventory save-suite`, one file per suite in a directory.
///
/// Each suite is `NAME.txt`, a plain list (one reference per line) under two comment lines, so it
/// is also a valid `airgap bundle -f` file and reads well in a diff or a code review:
///
///     # airgap suite: my-conformance
///     # summary: derived with airgap inventory diff from 3 nodes on 2025-01-31
///     docker.io/library/busybox:1.29
public struct StoredSuiteCatalog: Sendable, Hashable {
    /// The directory holding the suite files; it need not exist until a suite is saved.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// `$XDG_DATA_HOME/airgap/suites`, else `$HOME/.local/share/airgap/suites` (the XDG base
    /// directory default), beside the built-in lists that ship in the binary.
    public static func defaultDirectory(environment: [String: String]) -> String {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return "\(data)/airgap/suites" }
        return "\(environment["HOME"] ?? "~")/.local/share/airgap/suites"
    }

    static let suffix = ".txt"
    private static let nameHeader = "# airgap suite: "
    private static let summaryHeader = "# summary: "

    /// Every stored suite, sorted by name; none when the directory does not exist.
    public func suites() throws(SuiteCatalogError) -> [Suite] {
        let names: [String]
        do {
            names = try FileReading.entries(of: directory)
        } catch {
            if error.code == ENOENT { return [] }
            throw .unreadableCatalog(path: directory, reason: error.reason)
        }
        return try names.filter { $0.hasSuffix(Self.suffix) && !$0.hasPrefix(".") }
            .map { (file) throws(SuiteCatalogError) in try load(String(file.dropLast(Self.suffix.count))) }
    }

    /// The stored suite called `name`, or `nil` when there is none.
    public func suite(named name: String) throws(SuiteCatalogError) -> Suite? {
        guard (try? Self.validate(name: name)) != nil else { return nil }
        let path = self.path(of: name)
        guard (try? FileReading.isDirectory(path)) == false else { return nil }
        return try load(name)
    }

    /// Saves `images` as the suite `name`, atomically; returns the file written.
    ///
    /// - Throws: for an invalid or built-in name, an empty list, an existing suite when
    ///   `replacing` is false, or a directory that cannot be written.
    @discardableResult
    public func save(_ images: ImageList, name: String, summary: String, replacing: Bool) throws(SuiteCatalogError) -> String {
        try Self.validate(name: name)
        if SuiteCatalog.builtIn.contains(where: { $0.name == name }) { throw .builtInName(name) }
        guard !images.isEmpty else { throw .emptySuite(name) }
        let path = self.path(of: name)
        if !replacing, (try? FileReading.isDirectory(path)) != nil { throw .suiteExists(name, path: path) }
        let summaryLine = summary.split(whereSeparator: \.isNewline).joined(separator: " ")
        let text = "\(Self.nameHeader)\(name)\n\(Self.summaryHeader)\(summaryLine)\n" + images.rendered(as: .list)
        do {
            try FileWriting.makeDirectories(directory)
            try FileWriting.writeAtomically(Array(text.utf8), to: path)
        } catch {
            throw .unwritableCatalog(path: path, reason: error.reason)
        }
        return path
    }

    /// Suite names are file names: lowercase letters, digits, `.`, `_` and `-`, starting with a
    /// letter or digit, as the seed's own names are.
    public static func validate(name: String) throws(SuiteCatalogError) {
        let allowed = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard allowed, let first = name.first, first.isLetter || first.isNumber, name.count <= 100 else {
            throw .invalidName(name)
        }
    }

    private func path(of name: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + name + Self.suffix
    }

    private func load(_ name: String) throws(SuiteCatalogError) -> Suite {
        let path = self.path(of: name)
        let images: ImageList
        do {
            images = try ImageList.load(contentsOf: path)
        } catch {
            throw .invalidSuiteFile(error)
        }
        // The summary line is optional: a list written by hand is a suite too.
        var summary = "stored in \(path)"
        if let bytes = try? FileReading.bytes(atPath: path) {
            let text = String(decoding: bytes, as: UTF8.self)
            for line in text.split(whereSeparator: \.isNewline).prefix(5) where line.hasPrefix(Self.summaryHeader) {
                summary = String(line.dropFirst(Self.summaryHeader.count))
            }
        }
        return Suite(name: name, summary: summary, images: images, path: path)
    }
}
