/// One-line accounts of JSON decoding failures, naming the JSON path (`.layers[2].digest`), for
/// errors about manifests, indexes, configs and archive metadata.
public enum JSONFailure {
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        let context: DecodingError.Context
        var detail: String?
        switch error {
        case .dataCorrupted(let c): context = c
        case .keyNotFound(let key, let c): (context, detail) = (c, "missing key \"\(key.stringValue)\"")
        case .typeMismatch(_, let c), .valueNotFound(_, let c): context = c
        @unknown default: return "\(error)"
        }
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return (detail ?? context.debugDescription) + (path.isEmpty ? "" : " at \(path)")
    }
}
