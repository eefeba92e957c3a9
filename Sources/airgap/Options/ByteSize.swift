import Foundation
import ArgumentParser

/// A size as `split --bytes` and `du` take it: a number with an optional unit. `K`, `M`, `G`, `T`
/// (and `KiB` … `TiB`) count in powers of 1024, `KB` … `TB` in powers of 1000; no unit is bytes.
/// So `4G` is 4 GiB, and a DVD's 4.7 GB is `4.7GB`.
struct ByteSize: ExpressibleByArgument, Sendable, Hashable {
    var bytes: Int64
    /// As the user wrote it, for messages: "4G" reads better back than "4.29 GB".
    var text: String

    init(bytes: Int64) {
        self.bytes = bytes
        text = "\(bytes) bytes"
    }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        let number = text.prefix { $0.isNumber || $0 == "." }
        let unit = text.dropFirst(number.count).trimmingCharacters(in: .whitespaces).lowercased()
        guard let value = Double(number), value > 0, value.isFinite else { return nil }
        let scale: Double
        switch unit {
        case "", "b": scale = 1
        case "k", "kib": scale = 1024
        case "m", "mib": scale = 1024 * 1024
        case "g", "gib": scale = 1024 * 1024 * 1024
        case "t", "tib": scale = 1024 * 1024 * 1024 * 1024
        case "kb": scale = 1e3
        case "mb": scale = 1e6
        case "gb": scale = 1e9
        case "tb": scale = 1e12
        default: return nil
        }
        let total = (value * scale).rounded(.down)
        guard total >= 1, total < 9e18 else { return nil }
        bytes = Int64(total)
        self.text = text
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

extension ByteSize: CustomStringConvertible {
    var description: String { text }
}
