import Foundation

/// Writing small files so that they appear whole or not at all, with the system's own reasons in
/// errors (see `FileReading`).
enum FileWriting {
    /// Creates `path` and its missing parents, as `mkdir -p` does.
    static func makeDirectories(_ path: String) throws(FileReading.SystemError) {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/\(component)"
            if mkdir(partial, 0o755) != 0, errno != EEXIST { throw .init(code: errno) }
        }
        guard try FileReading.isDirectory(path) else { throw .init(code: ENOTDIR) }
    }

    /// Writes `bytes` to a temporary file beside `path`, then renames it into place: a reader never
    /// sees half a file, and an interrupted write leaves the old one.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileReading.SystemError) {
        let temporary = "\(path).tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw .init(code: errno) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(descriptor)
                unlink(temporary)
                throw .init(code: code)
            }
            written += count
        }
        guard close(descriptor) == 0 else {
            let code = errno
            unlink(temporary)
            throw .init(code: code)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .init(code: code)
        }
    }
}
