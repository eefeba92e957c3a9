import Foundation
import OCI

/// Reads a ``RequestBody`` for curl's read callback, and rewinds it when curl must resend
/// (a redirect, an authentication round trip). Files are read in place, never loaded whole.
final class UploadReader {
    private enum Source {
        case bytes(Data)
        case file(descriptor: Int32, start: Int64)
        case pipe(BlobPipe)
    }

    /// What a read produced.
    enum Chunk: Equatable {
        case filled(Int)
        /// The body is still arriving (a ``BlobPipe``): pause and ask again later.
        case waiting
    }

    let length: Int64
    private let source: Source
    private(set) var position: Int64 = 0
    /// The digest a file body must have, checked as its bytes are read (``read(into:)``).
    private let expected: Digest?
    private var digester = SHA256Digester()
    private let url: URL

    init(body: RequestBody, url: URL) throws {
        length = body.length
        self.url = url
        if case .file(_, _, _, let digest) = body { expected = digest } else { expected = nil }
        switch body {
        case .bytes(let data):
            source = .bytes(data)
        case .file(let path, let offset, let length, _):
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw TransportError.bodyUnreadable(message: "\(path): \(String(cString: strerror(errno)))", url: url.redactedForLog)
            }
            var info = stat()
            if fstat(descriptor, &info) != 0 || Int64(info.st_size) < offset + length {
                close(descriptor)
                throw TransportError.bodyUnreadable(message: "\(path) is shorter than \(offset + length) bytes", url: url.redactedForLog)
            }
            source = .file(descriptor: descriptor, start: offset)
        case .pipe(let pipe):
            source = .pipe(pipe)
        }
    }

    deinit {
        if case .file(let descriptor, _) = source { close(descriptor) }
    }

    /// Fills `buffer` with the next bytes; `.filled(0)` means the body is complete.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Chunk {
        let wanted = Int(min(Int64(buffer.count), length - position))
        guard wanted > 0 else { return .filled(0) }
        switch source {
        case .bytes(let data):
            let start = data.startIndex + Int(position)
            data.copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), from: start..<start + wanted)
            position += Int64(wanted)
            return .filled(wanted)
        case .file(let descriptor, let start):
            let before = position
            let count = try readFile(descriptor, at: start + position, count: wanted, into: buffer)
            try check(UnsafeRawBufferPointer(rebasing: buffer[..<count]), from: before)
            return .filled(count)
        case .pipe(let pipe):
            switch pipe.read(at: position, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted])) {
            case .wait:
                return .waiting
            case .failed(let reason):
                throw UploadReadError(message: reason)
            case .bytes(let count):
                position += Int64(count)
                return .filled(count)
            }
        }
    }

    /// Whether a read would make progress now (or fail): when a paused upload may resume.
    var canContinue: Bool {
        guard case .pipe(let pipe) = source, position < length else { return true }
        return pipe.canRead(at: position)
    }

    private func readFile(_ descriptor: Int32, at offset: Int64, count wanted: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = pread(descriptor, buffer.baseAddress, wanted, off_t(offset))
        guard count > 0 else {
            throw UploadReadError(message: count == 0 ? "file ended early" : String(cString: strerror(errno)))
        }
        position += Int64(count)
        return count
    }

    func seek(to offset: Int64) throws {
        guard offset >= 0, offset <= length else { throw UploadReadError(message: "seek outside the body") }
        if case .pipe(let pipe) = source, !pipe.canSeek(to: offset) {
            throw UploadReadError(message: "a relayed body cannot be sent again")
        }
        // libcurl rewinds to the start to send a body again; the hash starts again with it.
        if offset == 0 { digester = SHA256Digester() }
        position = offset
    }

    /// Hashes `chunk` (read at `offset`) when the body has an expected digest, and refuses the last
    /// chunk of a body that is not that blob, before curl can send it.
    private func check(_ chunk: UnsafeRawBufferPointer, from offset: Int64) throws {
        guard let expected else { return }
        guard offset == digester.byteCount else {
            throw UploadReadError(message: "the body was read out of order, so its digest cannot be checked")
        }
        digester.update(chunk)
        guard position == length else { return }
        let actual = digester.finalize()
        if actual != expected {
            throw TransportError.bodyNotItsDigest(expected: expected.description, actual: actual.description, url: url.redactedForLog)
        }
    }
}

struct UploadReadError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
