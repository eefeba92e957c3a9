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
            bytes = try path == "-" ? readAll(from: STDIN_FILENO) : readFile(at: path)
        } catch {
            throw .unreadableFile(path: source, reason: String(cString: strerror(error.code)))
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw .unreadableFile(path: source, reason: "not UTF-8 text")
        }
        return try parse(text, source: source)
    }

    /// An `errno` value. POSIX calls are used directly because they report the system's own
    /// reason ("No such file or directory", "Is a directory"), which Foundation's file APIs
    /// replace with a sentence that differs between platforms.
    private struct SystemError: Error {
        var code: Int32
    }

    private static func readFile(at path: String) throws(SystemError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw SystemError(code: errno) }
        defer { close(descriptor) }
        return try readAll(from: descriptor)
    }

    /// Reads to end of file; lists are small, so holding them whole is fine.
    private static func readAll(from descriptor: Int32) throws(SystemError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(code: errno)
            }
            bytes += chunk[..<count]
        }
    }
}
