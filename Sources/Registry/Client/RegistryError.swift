import Foundation
import OCI

/// What went wrong talking to a registry, in words that say what to do next.
public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The registry answered with a status the call does not accept; `errors` is its own
    /// `{"errors":[…]}` body when it sent one.
    case unexpectedStatus(status: Int, method: HTTPMethod, url: String, subject: String, errors: [RegistryErrorDetail], retryAfter: String? = nil)
    /// Bytes whose sha256 is not the digest they were asked for.
    case digestMismatch(subject: String, expected: Digest, actual: Digest)
    /// A body longer or shorter than its descriptor says.
    case sizeMismatch(subject: String, expected: Int64, actual: Int64)
    /// A 206 whose `Content-Range` is not the rest of the blob after the bytes already held.
    case rangeMismatch(subject: String, expectedStart: Int64, contentRange: String)
    /// A response lacks something the protocol requires.
    case malformedResponse(subject: String, reason: String)
    /// The registry (or its token service) refused us; `credentialSource` says which credentials
    /// were tried (`nil`: none were found), never what they are.
    case unauthorized(registry: String, credentialSource: String?, errors: [RegistryErrorDetail])

    public var description: String {
        switch self {
        case .unexpectedStatus(let status, let method, let url, let subject, let errors, _):
            var text = "\(subject): \(method.rawValue) \(url) returned \(status)"
            if !errors.isEmpty { text += ": " + errors.map(\.description).joined(separator: "; ") }
            if let meaning = Self.meaning(status: status, errors: errors) { text += " (\(meaning))" }
            return text
        case .digestMismatch(let subject, let expected, let actual):
            return "\(subject): content has digest \(actual), expected \(expected); the registry served corrupt or different bytes"
        case .sizeMismatch(let subject, let expected, let actual):
            return "\(subject): received \(actual) bytes, expected \(expected)"
        case .rangeMismatch(let subject, let start, let range):
            return "\(subject): asked to resume at byte \(start), the registry sent the range \"\(range)\""
        case .malformedResponse(let subject, let reason):
            return "\(subject): \(reason)"
        case .unauthorized(let registry, let source, let errors):
            let detail = errors.isEmpty ? "" : " (" + errors.map(\.description).joined(separator: "; ") + ")"
            guard let source else {
                return "unauthorized: \(registry) requires credentials and none were found\(detail)"
            }
            return "unauthorized: \(registry) rejected the credentials from \(source)\(detail)"
        }
    }

    /// The registry's `Retry-After`, when it sent one with a 429 or 503.
    public var retryAfter: String? {
        if case .unexpectedStatus(_, _, _, _, _, let retryAfter) = self { return retryAfter }
        return nil
    }

    /// What a status means here, in a few words (what to do about it is the CLI's to say).
    private static func meaning(status: Int, errors: [RegistryErrorDetail]) -> String? {
        let codes = Set(errors.map(\.code))
        switch status {
        case 401: return "authentication required"
        case 403: return "access denied"
        case 404 where codes.contains("NAME_UNKNOWN"): return "no such repository"
        case 404: return "not found"
        case 429: return "rate limited by the registry"
        case 500...599: return "the registry failed"
        default: return nil
        }
    }
}

/// One entry of a registry's `{"errors":[{"code","message","detail"}]}` body
/// (distribution-spec, "Error Codes").
public struct RegistryErrorDetail: Sendable, Equatable, Decodable, CustomStringConvertible {
    public var code: String
    public var message: String

    enum CodingKeys: String, CodingKey { case code, message }

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = (try? container.decode(String.self, forKey: .code)) ?? "UNKNOWN"
        message = (try? container.decode(String.self, forKey: .message)) ?? ""
    }

    public var description: String { message.isEmpty ? code : "\(code): \(message)" }

    /// The entries of an error body; empty when the body is not the spec's JSON (proxies send HTML).
    static func decodeList(from body: Data) -> [RegistryErrorDetail] {
        struct Envelope: Decodable { var errors: [RegistryErrorDetail] }
        return (try? JSONDecoder().decode(Envelope.self, from: body))?.errors ?? []
    }
}
