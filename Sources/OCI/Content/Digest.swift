/// A content digest, `algorithm:encoded`, as used in descriptors, references and blob paths.
///
/// Grammar from the OCI image-spec (descriptor.md, "Digests"):
/// `algorithm ::= component ([+._-] component)*`, `component ::= [a-z0-9]+`.
/// airgap verifies every byte it stores, so only `sha256` is accepted: a digest it cannot
/// verify is refused when parsed rather than trusted later
/// (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests).
///
/// Every `Digest` value is safe to use as a file name (`blobs/sha256/<encoded>`):
/// the grammar leaves no room for `/` or `..`, and the parser says so explicitly.
public struct Digest: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The algorithm, e.g. `sha256`.
    public let algorithm: String
    /// The encoded hash, e.g. 64 lowercase hex characters for sha256.
    public let encoded: String

    /// The only algorithm airgap computes and verifies.
    public static let sha256Algorithm = "sha256"

    /// Parses `algorithm:encoded`.
    ///
    /// - Throws: `DigestError.unsupportedAlgorithm` for a well-formed digest whose algorithm is
    ///   not sha256 (sha512 included), and another `DigestError` case for anything malformed.
    public init(_ string: String) throws(DigestError) {
        guard !string.isEmpty else { throw .empty }
        // Digests become file names; say so rather than report a grammar mismatch.
        guard !Self.isUnsafeForPath(string) else { throw .unsafeForPath(string) }
        guard let colon = string.firstIndex(of: ":") else { throw .missingSeparator(string) }

        let algorithm = String(string[..<colon])
        let encoded = String(string[string.index(after: colon)...])
        guard Self.isValidAlgorithm(algorithm) else { throw .invalidAlgorithm(string) }

        guard algorithm == Self.sha256Algorithm else {
            // Well-formed but unverifiable. The encoded part must still be in the spec's
            // alphabet, so the error names the algorithm only for an otherwise valid digest.
            guard Self.isValidEncoded(encoded) else { throw .invalidEncoded(string) }
            throw .unsupportedAlgorithm(algorithm, digest: string)
        }
        guard encoded.utf8.count == 64, encoded.utf8.allSatisfy(Self.isLowercaseHex) else {
            throw .invalidSHA256(string)
        }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// A sha256 digest from its 64 lowercase hex characters.
    public static func sha256(hex: String) throws(DigestError) -> Digest {
        try Digest("\(sha256Algorithm):\(hex)")
    }

    /// Wraps an already validated sha256 hex string (from our own hashing).
    init(uncheckedSHA256Hex hex: String) {
        self.algorithm = Self.sha256Algorithm
        self.encoded = hex
    }

    /// `algorithm:encoded`.
    public var description: String { "\(algorithm):\(encoded)" }

    /// Orders by the text form, for stable listings.
    public static func < (lhs: Digest, rhs: Digest) -> Bool {
        lhs.description < rhs.description
    }

    // MARK: - Grammar

    /// Whether `string` holds `/` or `..`. A scan of its bytes: Foundation's `contains` on strings
    /// goes through NSString, and verifying an archive parses a digest per descriptor and blob path.
    private static func isUnsafeForPath(_ string: String) -> Bool {
        var previous: UInt8 = 0
        for byte in string.utf8 {
            if byte == UInt8(ascii: "/") || (byte == UInt8(ascii: ".") && previous == byte) { return true }
            previous = byte
        }
        return false
    }

    private static func isValidAlgorithm(_ algorithm: String) -> Bool {
        // component ([+._-] component)*, component = [a-z0-9]+
        var previousWasSeparator = true
        for byte in algorithm.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                previousWasSeparator = false
            case UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                if previousWasSeparator { return false }
                previousWasSeparator = true
            default:
                return false
            }
        }
        return !previousWasSeparator
    }

    private static func isValidEncoded(_ encoded: String) -> Bool {
        // encoded ::= [a-zA-Z0-9=_-]+
        !encoded.isEmpty && encoded.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "="), UInt8(ascii: "_"),
                UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}

extension Digest: Codable {
    /// Decodes from the single string `algorithm:encoded`, with the same validation as `init(_:)`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            self = try Digest(string)
        } catch {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
