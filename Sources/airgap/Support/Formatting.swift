import Foundation

/// Human sizes and rates as podman prints them: decimal units, three significant figures.
enum Formatting {
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: value < 10 ? "%.2f %@" : value < 100 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }

    static func rate(_ count: Int64, over seconds: Double) -> String {
        guard seconds > 0 else { return "-" }
        return bytes(Int64(Double(count) / seconds)) + "/s"
    }

    static func count(_ value: Int, _ noun: String) -> String {
        "\(value) \(noun)\(value == 1 ? "" : "s")"
    }

    static func seconds(_ value: Double) -> String {
        String(format: value < 10 ? "%.2fs" : "%.1fs", value)
    }

    /// A time to come, coarsely: "45s", "3m10s", "1h05m".
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total / 3600)h\(String(format: "%02d", (total % 3600) / 60))m"
    }
}
