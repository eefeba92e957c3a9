import Foundation

/// Why a string is not a digest airgap can use. Each message names the digest.
public enum DigestError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The string is empty.
    case empty
    /// No `:` between algorithm and encoded hash.
    case missingSeparator(String)
    /// The algorithm part breaks `[a-z0-9]+([+._-][a-z0-9]+)*`.
    case invalidAlgorithm(String)
    /// The encoded part of a non-sha256 digest breaks `[a-zA-Z0-9=_-]+`.
    case invalidEncoded(String)
    /// A sha256 digest whose hash is not exactly 64 lowercase hex characters.
    case invalidSHA256(String)
    /// Well-formed, but not sha256: airgap cannot verify it.
    case unsupportedAlgorithm(String, digest: String)
    /// Contains `/` or `..`; digests become file names.
    case unsafeForPath(String)

    public var description: String {
        switch self {
        case .empty:
            "invalid digest: empty string; expected algorithm:hex, like sha256:<64 hex characters>"
        case .missingSeparator(let digest):
            "invalid digest \"\(digest)\": expected algorithm:hex, like sha256:<64 hex characters>"
        case .invalidAlgorithm(let digest):
            "invalid digest \"\(digest)\": the algorithm must be lowercase letters and digits, "
                + "optionally joined by one of + . _ - (like sha256)"
        case .invalidEncoded(let digest):
            "invalid digest \"\(digest)\": the hash may only hold letters, digits, '=', '_' and '-'"
        case .invalidSHA256(let digest):
            "invalid digest \"\(digest)\": a sha256 hash is exactly 64 lowercase hex characters, "
                + "got \(Self.encodedPart(of: digest).count)"
        case .unsupportedAlgorithm(let algorithm, let digest):
            "unsupported digest algorithm \(algorithm) in \"\(digest)\": airgap verifies sha256 only"
        case .unsafeForPath(let digest):
            "invalid digest \"\(digest)\": it must not contain '/' or '..' (digests become file names)"
        }
    }

    public var errorDescription: String? { description }

    private static func encodedPart(of digest: String) -> Substring {
        guard let colon = digest.firstIndex(of: ":") else { return Substring(digest) }
        return digest[digest.index(after: colon)...]
    }
}
