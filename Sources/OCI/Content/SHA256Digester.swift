import Crypto
import Foundation

/// Hashes a stream of bytes into a sha256 `Digest`, so blobs are verified while they are
/// written and never held whole in memory.
public struct SHA256Digester: Sendable {
    private var hasher = SHA256()

    /// How many bytes have been fed in so far; compare with a descriptor's `size`.
    public private(set) var byteCount: Int64 = 0

    public init() {}

    /// Feeds the next chunk of the stream.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        byteCount += Int64(bytes.count)
    }

    /// Feeds the next chunk of the stream.
    public mutating func update(_ data: some DataProtocol) {
        for region in data.regions {
            region.withUnsafeBytes { update($0) }
        }
    }

    /// The digest of everything fed in so far. The digester can keep going afterwards.
    public func finalize() -> Digest {
        Digest(uncheckedSHA256Hex: Self.hex(hasher.finalize()))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Digest {
    /// The sha256 digest of small in-memory data (manifests, configs). Stream blobs through
    /// `SHA256Digester` instead.
    public static func compute(of data: some DataProtocol) -> Digest {
        var digester = SHA256Digester()
        digester.update(data)
        return digester.finalize()
    }
}
