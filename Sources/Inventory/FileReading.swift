import Foundation

/// Reading whole files and listing directories with POSIX calls, which report the system's own
/// reason ("No such file or directory", "Is a directory"); Foundation's file APIs replace it with
/// a sentence that differs between platforms.
enum FileReading {
    /// An `errno` value, with the system's text for it.
    struct SystemError: Error {
        var code: Int32
        var reason: String { String(cString: strerror(code)) }
    }

    static func bytes(atPath path: String) throws(SystemError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw SystemError(code: errno) }
        defer { close(descriptor) }
        return try readAll(from: descriptor)
    }

    /// Reads to end of file. A regular file is read straight into a buffer of its size (no zeroing,
    /// no copy: snapshot sets are 100 MB); anything else, or a file that grows, in chunks.
    static func readAll(from descriptor: Int32) throws(SystemError) -> [UInt8] {
        var info = stat()
        var bytes: [UInt8] = []
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 {
            let size = Int(info.st_size)
            var failure: Int32?
            bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                while count < size {
                    let got = read(descriptor, buffer.baseAddress! + count, size - count)
                    if got == 0 { break }
                    if got < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        break
                    }
                    count += got
                }
            }
            if let failure { throw SystemError(code: failure) }
            if bytes.count < size { return bytes }
        }
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

    /// True when `path` is a directory (following symbolic links).
    static func isDirectory(_ path: String) throws(SystemError) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { throw SystemError(code: errno) }
        return (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The names in a directory, without `.` and `..`, sorted.
    static func entries(of path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else { throw SystemError(code: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
