import OCI

// Where to pull from, following containers/image's FindRegistry and PullSourcesFromReference
// (pkg/sysregistriesv2) and containers-registries.conf(5), "Remapping and mirroring registries".

extension RegistriesConfiguration: PullSourceResolver {
    /// The entry whose prefix covers `name` (`domain/path`) with the longest match, or `nil`.
    ///
    /// "(only) the TOML table with the longest match is used". Length is the prefix's length, as
    /// in containers/image, so `*.example.com` loses to `registry.example.com`; on a tie (only
    /// possible between a wildcard and a plain prefix) the plain prefix wins.
    public func entry(for name: String) -> Entry? {
        var best: Entry?
        for entry in registries where entry.prefix.matchedLength(in: name) != nil {
            guard let current = best else {
                best = entry
                continue
            }
            let (length, bestLength) = (entry.prefix.value.count, current.prefix.value.count)
            if length > bestLength || (length == bestLength && current.prefix.isWildcard && !entry.prefix.isWildcard) {
                best = entry
            }
        }
        return best
    }

    /// The places to try for `reference`: the entry's mirrors that admit it, in order, then the
    /// entry's location (the reference itself when no entry covers it).
    ///
    /// A mirror is skipped when `mirror-by-digest-only = true` and the reference has no digest,
    /// when its `pull-from-mirror = "digest-only"` and the reference has no digest, or when it is
    /// `"tag-only"` and the reference has a digest (a reference with both counts as a digest
    /// reference, as containers/image checks `reference.Canonical`). Sources that another entry
    /// blocks are left out; duplicates are dropped, the first kept, as `MirrorTable` does.
    public func pullSources(for reference: ImageReference) throws(RegistriesConfigurationError) -> [PullSource] {
        guard let entry = entry(for: reference.name) else {
            return [PullSource(reference: reference, insecure: false, isMirror: false)]
        }
        if entry.blocked {
            throw .blocked(reference: reference.description, prefix: entry.prefix.value, file: entry.origin?.file)
        }

        let hasDigest = reference.digest != nil
        var endpoints: [(location: String?, insecure: Bool, isMirror: Bool)] = []
        if !entry.mirrorByDigestOnly || hasDigest {
            for mirror in entry.mirrors where mirror.pullFromMirror.admits(hasDigest: hasDigest) {
                endpoints.append((mirror.location, mirror.insecure, true))
            }
        }
        endpoints.append((entry.location, entry.insecure, false))

        var sources: [PullSource] = []
        var blockedBy: Entry?
        for endpoint in endpoints {
            let rewritten = try rewrite(reference, under: entry.prefix, onto: endpoint.location)
            // containers/image checks every endpoint it contacts against the configuration again
            // (newDockerClient → FindRegistry): a mirror under a blocked prefix is not used, and
            // one under an insecure prefix is insecure.
            let governing = self.entry(for: rewritten.name)
            if let governing, governing.blocked {
                blockedBy = governing
                continue
            }
            let insecure = endpoint.insecure || (governing?.insecure ?? false)
            let source = PullSource(reference: rewritten, insecure: insecure, isMirror: endpoint.isMirror)
            if !sources.contains(where: { $0.reference == rewritten }) { sources.append(source) }
        }
        if sources.isEmpty, let blockedBy {
            throw .blocked(reference: reference.description, prefix: blockedBy.prefix.value, file: blockedBy.origin?.file)
        }
        return sources
    }

    /// Whether TLS verification may be skipped (and plain HTTP used) for `host` (`host[:port]`,
    /// as in a reference's domain): when the entry whose prefix covers the bare host says
    /// `insecure = true` (containers/image's `FindRegistry(host)`), or when a registry location or
    /// mirror on that host is marked insecure.
    public func isInsecure(host: String) -> Bool {
        if let entry = entry(for: host), entry.insecure { return true }
        for entry in registries {
            if entry.insecure, let location = entry.location, Self.host(of: location) == host { return true }
            if entry.mirrors.contains(where: { $0.insecure && Self.host(of: $0.location) == host }) { return true }
        }
        return false
    }

    /// The name with `prefix` replaced by `location`, keeping the rest of the name, the tag and the
    /// digest. With no location (a wildcard prefix written without one) the reference is kept as is.
    private func rewrite(
        _ reference: ImageReference, under prefix: RegistryPrefix, onto location: String?
    ) throws(RegistriesConfigurationError) -> ImageReference {
        guard let location, let matched = prefix.matchedLength(in: reference.name) else { return reference }
        do {
            return try reference.relocated(matchedLength: matched, onto: location)
        } catch {
            throw .invalidRewrite(reference: reference.description, prefix: prefix.value, location: location, problem: error.description)
        }
    }

    private static func host(of location: String) -> Substring {
        location.prefix { $0 != "/" }
    }
}
