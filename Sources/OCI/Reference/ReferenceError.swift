import Foundation

/// Why a string is not an image reference. Every message names the input and the rule it broke.
///
/// The rules are those of distribution/reference (`ParseNormalizedNamed`), which docker, podman,
/// containerd and skopeo all share: https://github.com/distribution/reference/blob/main/reference.go
public enum ReferenceError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The reference is the empty string.
    case empty
    /// A bare 64-character hex string: an image ID, not a name.
    case ambiguousIdentifier(String)
    /// Nothing names a repository (`:tag`, `localhost:5000/`, `@sha256:…`).
    case missingRepository(reference: String)
    /// The registry part is not `host[:port]`.
    case invalidDomain(String, reference: String)
    /// The repository path holds an uppercase letter.
    case uppercaseRepository(String, reference: String)
    /// One `/`-separated part of the repository path breaks the component rule (may be empty).
    case invalidPathComponent(String, reference: String)
    /// The repository path is longer than distribution allows.
    case nameTooLong(length: Int, limit: Int, reference: String)
    /// The tag breaks `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    case invalidTag(String, reference: String)
    /// The part after `@` is not a usable digest.
    case invalidDigest(DigestError, reference: String)
    /// Text after the digest, such as a second `@`.
    case unexpectedTrailing(String, reference: String)

    public var description: String {
        switch self {
        case .empty:
            "invalid image reference: empty string; expected [registry/]repository[:tag][@digest]"
        case .ambiguousIdentifier(let reference):
            "invalid image reference \"\(reference)\": a 64-character hex string is an image ID, "
                + "not a repository name; prefix it with a registry (docker.io/\(reference)) if it really is one"
        case .missingRepository(let reference):
            "invalid image reference \"\(reference)\": no repository name; "
                + "expected [registry/]repository[:tag][@digest]"
        case .invalidDomain(let domain, let reference):
            "invalid image reference \"\(reference)\": registry \"\(domain)\" is not host[:port]; "
                + "a host is DNS labels of letters, digits and inner '-' joined by '.', "
                + "an IPv4 address, or a bracketed IPv6 address like [::1]; a port is digits"
        case .uppercaseRepository(let repository, let reference):
            "invalid image reference \"\(reference)\": repository names must be lowercase, "
                + "got \"\(repository)\""
        case .invalidPathComponent(let component, let reference) where component.isEmpty:
            "invalid image reference \"\(reference)\": empty repository path component "
                + "(a leading, trailing or doubled '/')"
        case .invalidPathComponent(let component, let reference):
            "invalid image reference \"\(reference)\": repository path component \"\(component)\" "
                + "must be lowercase letters and digits, separated inside by one '.', "
                + "one or two '_', or any number of '-' (no separator at either end)"
        case .nameTooLong(let length, let limit, let reference):
            "invalid image reference \"\(reference)\": repository path is \(length) characters long "
                + "after normalization, more than the limit of \(limit)"
        case .invalidTag(let tag, let reference):
            "invalid image reference \"\(reference)\": tag \"\(tag)\" must be 1 to 128 letters, "
                + "digits, '_', '.' or '-', and must not start with '.' or '-'"
        case .invalidDigest(let error, let reference):
            "invalid image reference \"\(reference)\": \(error)"
        case .unexpectedTrailing(let text, let reference):
            "invalid image reference \"\(reference)\": unexpected \"\(text)\" after the digest; "
                + "a reference holds at most one @digest"
        }
    }

    public var errorDescription: String? { description }
}
