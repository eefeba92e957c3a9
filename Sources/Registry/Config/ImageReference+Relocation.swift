import OCI

extension ImageReference {
    /// This reference moved from the name prefix it matched (its first `matchedLength` characters
    /// of ``name``) onto `location` (`host[:port][/path]`), keeping the rest of the name, the tag and
    /// the digest — what a mirror rule or a registries.conf `location` does.
    ///
    /// Built from parts, so the location's host stays the registry: pasting strings together and
    /// parsing them again turns `mirror.lab` + `:4.15` into `docker.io/library/mirror.lab:4.15`
    /// (containers/image refuses such a rewrite too). Throws when the result names no repository
    /// (a bare host standing in for a whole repository) or is not a valid name.
    func relocated(matchedLength: Int, onto location: String) throws(RelocationError) -> ImageReference {
        let domain = String(location.prefix { $0 != "/" })
        let locationPath = location.dropFirst(domain.count).drop { $0 == "/" }
        let rest = name.dropFirst(matchedLength).drop { $0 == "/" }
        let path = [locationPath, rest].filter { !$0.isEmpty }.joined(separator: "/")
        guard !path.isEmpty else { throw .noRepository(host: domain) }
        guard domain == "localhost" || domain.contains(".") || domain.contains(":") else { throw .notARegistryHost(domain) }
        do {
            return try ImageReference(domain: domain, repository: try Repository(path), tag: isTagImplied ? nil : tag, digest: digest)
        } catch {
            throw .invalid(error.description)
        }
    }
}

/// Why a reference could not be moved onto a location.
public enum RelocationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The location is a bare host and the rule covered the whole repository: no name is left.
    case noRepository(host: String)
    /// The location's first component is not a registry host (no `.` or `:`, not `localhost`).
    case notARegistryHost(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .noRepository(let host):
            "it leaves no repository name under \(host) (the rule maps a whole repository onto a bare host; give the location a path)"
        case .notARegistryHost(let host):
            "\"\(host)\" is not a registry host (it needs a '.' or ':', or is localhost)"
        case .invalid(let reason):
            reason
        }
    }
}
