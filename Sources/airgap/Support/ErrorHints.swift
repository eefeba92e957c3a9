import Archive
import Foundation
import Inventory
import Mirror
import Nodes
import OCI
import Registry

/// What to do about an error, in the user's words: the flags and commands of this CLI.
///
/// Libraries state what happened, as data; this is the one place that adds the fix, so a flag can
/// be renamed without touching a library, and the same error reads right in every command.
enum ErrorHints {
    /// `error` as the user reads it: the library's message and, when there is one, the fix.
    static func message(for error: any Error) -> String {
        // Every image that failed, each with its own fix, and how to get the others anyway.
        if case BundleError.unresolved(let failures, let total) = error, failures.count > 1 {
            let lines = failures.map { "  \($0.reference): \(message(for: $0.error).replacingOccurrences(of: "\($0.reference): ", with: ""))" }
            return "\(failures.count) of \(total) images cannot be bundled; nothing was written:\n" + lines.joined(separator: "\n")
                + "\n(--keep-going writes the archive of the others)"
        }
        if case BundleError.unresolved(let failures, _) = error, let failure = failures.first {
            return message(for: failure.error).contains(failure.reference.description)
                ? message(for: failure.error) : "\(failure.reference): \(message(for: failure.error))"
        }
        guard let hint = hint(for: error) else { return "\(error)" }
        return "\(error); \(hint)"
    }

    /// `error` as `airgap login` reports it: login is the command that checks the credentials it
    /// was given, so a refusal means those are wrong ("log in again" would send the user in a circle).
    static func loginMessage(for error: any Error) -> String {
        guard let hint = loginHint(for: error) ?? hint(for: error) else { return "\(error)" }
        return "\(error); \(hint)"
    }

    private static func loginHint(for error: any Error) -> String? {
        switch error as? RegistryError {
        case .unauthorized(_, _?, _)?, .unexpectedStatus(401, _, _, _, _, _)?:
            return "check the user name and password"
        default:
            return nil
        }
    }

    static func hint(for error: any Error) -> String? {
        switch error {
        case let error as BlobFailure: return hint(for: error.underlying)
        case let error as ResolveError where error.attempts.count == 1: return hint(for: error.attempts[0].error)
        case let error as RegistryError: return registry(error)
        case let error as TransportError: return transport(error)
        case let error as AuthFileError: return authFile(error)
        case let error as RegistriesConfigurationError:
            if case .missingFile = error { return "check --registries-conf or $CONTAINERS_REGISTRIES_CONF" }
        case let error as CertificateDirectoryError:
            if case .missingDirectory = error { return "check --cert-dir" }
        case let error as BlobStoreError: return cache(error)
        case let error as BundleError: return bundle(error)
        case let error as MirrorError:
            if case .archiveInvalid(let archive, _, _) = error { return "`airgap verify \(archive)` lists every problem" }
        case let error as DeltaBaseError:
            if case .notAnArchive = error { return "--since takes an archive airgap bundle wrote, or its .parts list" }
        case let error as NodeArchiveError: return nodeArchive(error)
        case let error as NodeRunError:
            if case .missingTool("scp") = error { return "or copy through the API server with --copy stream" }
        case let error as SuiteCatalogError: return suiteCatalog(error)
        case let error as SnapshotError: return snapshot(error)
        case let error as E2EManifestError:
            if case .missingDefault = error { return "set it in the --repo-list file" }
        default: break
        }
        return nil
    }

    private static func registry(_ error: RegistryError) -> String? {
        switch error {
        case .unauthorized(let registry, nil, _):
            return "log in with `airgap login \(registry)`, or pass --creds or --authfile"
        case .unauthorized(let registry, _, _):
            return "check the user name and password, or log in again with `airgap login \(registry)`"
        case .unexpectedStatus(401, _, _, _, _, _):
            return "log in with `airgap login`, or pass --creds or --authfile"
        case .unexpectedStatus(403, _, _, _, _, _):
            return "check that these credentials may use this repository"
        case .unexpectedStatus(404, _, _, _, _, _):
            return "check the image name, tag or digest"
        case .unexpectedStatus(429, _, _, _, _, _):
            return "wait, or log in for a higher limit"
        case .unexpectedStatus(500...599, _, _, _, _, _):
            return "retry later"
        default:
            return nil
        }
    }

    private static func transport(_ error: TransportError) -> String? {
        if case .curl(7, _, _, _) = error {
            return "nothing listens there: check the registry's host and port, and that the registry is running"
        }
        if case .curl(28, _, _, _) = error {
            return "the registry did not answer in time; check it, or allow longer with --stall-timeout SECONDS (and --retry-times N)"
        }
        if error.isCertificateProblem {
            return "if this registry uses a private CA, pass its certificate with --cert-dir or --ca-file, or --tls-verify=false to skip verification"
        }
        if case .plainHTTPNotAllowed = error { return "pass --tls-verify=false for this registry if it really serves http" }
        return nil
    }

    private static func authFile(_ error: AuthFileError) -> String? {
        switch error {
        case .namedFileMissing: return "check --authfile and $REGISTRY_AUTH_FILE"
        case .empty: return "write {} into it for no stored credentials, or point --authfile at another file"
        case .notJSON: return "fix it, or point --authfile at another file"
        // `login` rewrites a bad entry, but will not rewrite a file whose shape it cannot read.
        case .malformed(_, let key, _) where key.hasPrefix("auths["): return "fix or remove the entry, or log in again to replace it"
        case .malformed: return "fix the file, or point --authfile at another one"
        case .managedByHelper: return "store the credentials with that helper, or pass --authfile to use another file"
        case .writeFailed: return "pass --authfile to write elsewhere"
        default: return nil
        }
    }

    private static func cache(_ error: BlobStoreError) -> String? {
        switch error {
        case .unusable: return "choose another with --cache DIR"
        case .io(_, _, ENOSPC): return "free some space, or choose a cache on a larger disk with --cache DIR"
        default: return nil
        }
    }

    private static func bundle(_ error: BundleError) -> String? {
        switch error {
        case .noImages: return "name images as arguments, or use -f LIST or --suite NAME"
        case .platformNotFound: return "pick one with --platform, or use --all-platforms"
        case .notAnImage: return "leave it out of the list (airgap mirror copies artifacts as they are)"
        case .imagesTooLarge: return "raise --max-size, or carry those images in an archive of their own"
        default: return nil
        }
    }

    private static func nodeArchive(_ error: NodeArchiveError) -> String? {
        switch error {
        case .noImages, .unnamedImage: return "bundle it again with `airgap bundle`"
        case .unusableName(let archive, _): return "run `airgap verify \(archive)`"
        case .unloadableDelta(let archive, _):
            return "bundle the delta again with this airgap (`airgap bundle … --since BASE.tar`), or load a full archive; "
                + "`airgap verify \(archive)` says more"
        default: return nil
        }
    }

    private static func suiteCatalog(_ error: SuiteCatalogError) -> String? {
        switch error {
        case .suiteExists(let name, _): return "add --force to replace it, or compare with it: airgap inventory compare \(name)"
        case .unwritableCatalog: return "choose another catalog with --catalog DIR"
        default: return nil
        }
    }

    private static func snapshot(_ error: SnapshotError) -> String? {
        switch error {
        case .emptyDirectory, .unexpectedText: return "collect snapshots with `airgap inventory snapshot-script`"
        case .severalOutputsInNodeFile: return "give a concatenated file by itself (--before FILE)"
        default: return nil
        }
    }
}
