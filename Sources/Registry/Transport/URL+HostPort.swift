import Foundation

extension URL {
    /// `host[:port]` as registries are named (an IPv6 address in brackets, the port only when the
    /// URL gives one): the key that decides which TLS settings and credentials a request gets.
    var hostPort: String? {
        guard let host = host, !host.isEmpty else { return nil }
        let named = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return port.map { "\(named):\($0)" } ?? named
    }
}
