import OCI

/// A registries.conf `prefix`: the image names a `[[registry]]` entry covers.
///
/// containers-registries.conf(5), "Choosing a `[[registry]]` TOML table": `host[:port]`,
/// `host[:port]/namespace…`, `host[:port]/namespace…/repo`, or `*.host` for every subdomain of
/// `host` at any depth (`*.example.com` covers `a.example.com` and `b.a.example.com`, not
/// `example.com`). The man page also lists `repo:tag` and `repo@digest` forms, but containers/image
/// matches prefixes against repository names (`FindRegistry(ref.Name())`), so those never match
/// anything; they are refused here instead of being silently dead.
public struct RegistryPrefix: Sendable, Hashable, CustomStringConvertible {
    /// The prefix as configured, without trailing `/`.
    public let value: String

    /// Validates a prefix; a trailing `/` is dropped, as containers/image's `parseLocation` does.
    public init(_ text: String) throws(RegistryNamespaceError) {
        let trimmed = Self.trimmingTrailingSlashes(text)
        if trimmed.hasPrefix("*.") {
            let host = String(trimmed.dropFirst(2))
            // "The wildcard should only be present at the beginning": no port, path, tag or digest.
            guard !host.contains(where: { "/:@*".contains($0) }) else {
                throw .malformedWildcard(field: "prefix", value: trimmed)
            }
            do {
                try ImageReference.validateDomain(host, reference: trimmed)
            } catch {
                throw .invalidHost(field: "prefix", value: trimmed, host: host)
            }
            self.value = trimmed
        } else {
            self.value = try Self.validateNamespace(trimmed, field: "prefix")
        }
    }

    /// `*.host`: matches by subdomain rather than by leading name components.
    public var isWildcard: Bool { value.hasPrefix("*.") }

    public var description: String { value }

    /// How many leading characters of `name` (`domain/path`, as `ImageReference.name` gives it)
    /// this prefix covers, or `nil` when it does not cover `name`.
    ///
    /// Plain prefixes match on whole components: `quay.io/openshift` covers
    /// `quay.io/openshift/cli`, not `quay.io/openshift-release/cli`. containers/image also lets
    /// `example.com` cover `example.com:5000/…` and warns "DON'T RELY ON THE CURRENT BEHAVIOR";
    /// a port is a different registry here. A wildcard covers the whole domain, port included.
    func matchedLength(in name: String) -> Int? {
        if isWildcard {
            let domain = name.prefix { $0 != "/" }
            var host = domain
            if !host.hasPrefix("["), let colon = host.lastIndex(of: ":") { host = host[..<colon] }
            return host.lowercased().hasSuffix(value.dropFirst().lowercased()) ? domain.count : nil
        }
        if name == value || name.hasPrefix(value + "/") { return value.count }
        return nil
    }

    /// Validates `host[:port][/path]` for a plain prefix or a `location`, returning it without
    /// trailing `/`.
    static func validateNamespace(_ text: String, field: String) throws(RegistryNamespaceError) -> String {
        let value = trimmingTrailingSlashes(text)
        guard !value.isEmpty else { throw .empty(field: field) }
        let lowered = value.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            throw .scheme(field: field, value: value)
        }
        if value.contains("*") { throw .malformedWildcard(field: field, value: value) }

        let domain = String(value.prefix { $0 != "/" })
        let path = value.dropFirst(domain.count + 1)
        if value.contains("@") || path.contains(":") { throw .tagOrDigest(field: field, value: value) }

        // distribution/reference reads the first component as a registry only when it holds '.'
        // or ':' or is "localhost"; anything else would be read as a Docker Hub repository.
        guard domain == "localhost" || domain.contains(".") || domain.contains(":") else {
            throw .notARegistryHost(field: field, value: value, host: domain)
        }
        do {
            try ImageReference.validateDomain(domain, reference: value)
        } catch {
            throw .invalidHost(field: field, value: value, host: domain)
        }
        if !path.isEmpty {
            do {
                try ImageReference.Repository.validateComponents(path, reference: value)
            } catch {
                throw .invalidPath(field: field, value: value, reason: error.description)
            }
        }
        return value
    }

    static func trimmingTrailingSlashes(_ text: String) -> String {
        var value = Substring(text)
        while value.hasSuffix("/") { value = value.dropLast() }
        return String(value)
    }
}

/// Why a registries.conf `prefix` or `location` is unusable. `field` names the setting.
public enum RegistryNamespaceError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty(field: String)
    case scheme(field: String, value: String)
    case malformedWildcard(field: String, value: String)
    case tagOrDigest(field: String, value: String)
    case notARegistryHost(field: String, value: String, host: String)
    case invalidHost(field: String, value: String, host: String)
    case invalidPath(field: String, value: String, reason: String)

    public var description: String {
        switch self {
        case .empty(let field):
            "\(field) is empty"
        case .scheme(let field, let value):
            "\(field) = \"\(value)\": URI schemes are not supported; write host[:port][/namespace]"
        case .malformedWildcard(let field, let value) where field == "prefix":
            "prefix = \"\(value)\": a wildcard must be the whole first label of a bare host, "
                + "like \"*.example.com\" (no port, namespace, tag or digest)"
        case .malformedWildcard(let field, let value):
            "\(field) = \"\(value)\": wildcards are allowed only in prefix"
        case .tagOrDigest(let field, let value):
            "\(field) = \"\(value)\" names a tag or digest; registries.conf matches repository names, "
                + "so write host[:port][/namespace…][/repo] without :tag or @digest"
        case .notARegistryHost(let field, let value, let host):
            "\(field) = \"\(value)\": \"\(host)\" is not a registry host; an image name's first "
                + "component is a registry only if it contains '.' or ':' or is \"localhost\""
        case .invalidHost(let field, let value, let host):
            "\(field) = \"\(value)\": registry \"\(host)\" is not host[:port]"
        case .invalidPath(let field, let value, let reason):
            "\(field) = \"\(value)\": invalid namespace (\(reason))"
        }
    }
}
