import Foundation

/// Why a string is not an `os/arch[/variant]` platform. Each message names the input.
public enum PlatformError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// Fewer than two or more than three `/`-separated parts.
    case wrongShape(String)
    /// A part is empty or holds characters other than letters, digits, `_`, `.` and `-`.
    case invalidPart(String, platform: String)

    public var description: String {
        switch self {
        case .wrongShape(let platform):
            "invalid platform \"\(platform)\": expected os/arch[/variant], like linux/amd64 or linux/arm64/v8"
        case .invalidPart(let part, let platform) where part.isEmpty:
            "invalid platform \"\(platform)\": empty part; expected os/arch[/variant], like linux/arm/v7"
        case .invalidPart(let part, let platform):
            "invalid platform \"\(platform)\": \"\(part)\" may only hold letters, digits, '_', '.' and '-'"
        }
    }

    public var errorDescription: String? { description }
}
