import Foundation

/// A `Content-Range: bytes FIRST-LAST/TOTAL` value (RFC 9110 §14.4), parsed whole: a resumed
/// download is trusted only when the registry sends exactly the bytes that were asked for.
struct ContentRange: Sendable, Equatable {
    var first: Int64
    var last: Int64
    /// `nil` when the registry sent `*` (length unknown).
    var total: Int64?

    /// `nil` for anything but a satisfied byte range with `first <= last < total`.
    init?(_ value: String) {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("bytes ") else { return nil }
        let parts = text.dropFirst("bytes ".count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let bounds = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Self.number(bounds[0]), let last = Self.number(bounds[1]), first <= last else {
            return nil
        }
        if parts[1] == "*" {
            total = nil
        } else {
            guard let total = Self.number(parts[1]), last < total else { return nil }
            self.total = total
        }
        self.first = first
        self.last = last
    }

    /// Whether this range is the rest of a blob of `size` bytes, from `offset` on.
    func isRemainder(from offset: Int64, of size: Int64) -> Bool {
        first == offset && last == size - 1 && (total == nil || total == size)
    }

    /// Digits only: `Int64("+5")` would accept a sign.
    private static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int64(text)
    }
}
