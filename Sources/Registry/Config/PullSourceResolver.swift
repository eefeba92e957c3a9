import OCI

/// One place to try when pulling an image: the reference to fetch there, and how to connect.
public struct PullSource: Sendable, Hashable, CustomStringConvertible {
    /// The reference to fetch: the user's reference rewritten onto a mirror or a remapped location,
    /// or the user's reference itself.
    public var reference: ImageReference
    /// Plain HTTP and unverified TLS are allowed for this source (`insecure = true`).
    public var insecure: Bool
    /// A mirror rather than the registry's own location (the source, always tried last).
    public var isMirror: Bool

    public init(reference: ImageReference, insecure: Bool = false, isMirror: Bool = false) {
        self.reference = reference
        self.insecure = insecure
        self.isMirror = isMirror
    }

    public var description: String {
        var text = reference.description
        if isMirror { text += " (mirror)" }
        if insecure { text += " (insecure)" }
        return text
    }
}

/// Turns the reference a user asked for into the places to pull it from, in the order to try
/// them: mirrors first, the source last. registries.conf and `--mirror` rules both answer this.
public protocol PullSourceResolver: Sendable {
    /// The places to try for `reference`, in order; never empty. Throws when pulling `reference`
    /// is forbidden (a `blocked` registry) or a rewrite gives an invalid reference.
    func pullSources(for reference: ImageReference) throws -> [PullSource]
}
