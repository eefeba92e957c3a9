import Foundation

extension ImageList {
    /// How errors name standard input.
    public static let standardInputName = "<stdin>"

    /// Reads and parses the file at `path`, or standard input when `path` is `-`.
    /// Errors name the path (or `<stdin>`) and the line.
    public static func load(contentsOf path: String) throws(ImageListError) -> ImageList {
        let source = path == "-" ? standardInputName : path
        let bytes: [UInt8]
        do {
            bytes = try path == "-" ? FileReading.readAll(from: STDIN_FILENO) : FileReading.bytes(atPath: path)
        } catch {
            throw .unreadableFile(path: source, reason: error.reason)
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw .unreadableFile(path: source, reason: "not UTF-8 text")
        }
        return try parse(text, source: source)
    }
}
