import Archive
import Foundation
import OCI
import Registry

/// Before a delta archive (``DeltaBase``) is pushed: every layer it left out must already be in
/// the destination repository of each image that uses it — put there when the base archive was
/// mirrored — or in another repository of the same registry it can be mounted from. All of them
/// are checked first (HEAD requests only); if any is nowhere, the run fails naming each one and
/// nothing is pushed. Otherwise the mounts are made, and the pusher sends only what the delta holds.
struct DeltaLayerCheck {
    let clients: RegistryClientPool
    let dryRun: Bool

    struct Outcome {
        var existing = 0
        var mounted = 0
    }

    /// One left-out layer one destination repository needs.
    private struct Need: Hashable {
        var destination: ImageReference
        var digest: Digest
    }

    func run(_ images: [CopyImage], leftOut: Set<Digest>, archive: String, bases: [DeltaBase]) async throws -> Outcome {
        var needs: [Need] = []
        var seen = Set<String>()
        for image in images {
            for blob in image.blobs where leftOut.contains(blob.digest) {
                if seen.insert("\(image.destination.name)@\(blob.digest)").inserted {
                    needs.append(Need(destination: image.destination, digest: blob.digest))
                }
            }
        }
        var outcome = Outcome()
        // Where each layer is known to be, by registry: a repository to mount it from.
        var holders: [String: ImageReference] = [:]
        var lacking: [Need] = []
        for need in needs {
            let client = try await clients.client(for: need.destination)
            if try await client.hasBlob(need.digest, in: need.destination.repository) {
                outcome.existing += 1
                holders["\(need.destination.domain)@\(need.digest)"] = holders["\(need.destination.domain)@\(need.digest)"] ?? need.destination
            } else {
                lacking.append(need)
            }
        }
        // The other repositories of this run on the same registry, for layers no image's own
        // repository holds yet (a new image sharing a base layer with an old one).
        let repositories = Dictionary(grouping: images.map(\.destination), by: \.domain).mapValues { references in
            var unique: [String: ImageReference] = [:]
            for reference in references { unique[reference.name] = unique[reference.name] ?? reference }
            return unique.values.sorted { $0.name < $1.name }
        }
        var missing: [(String, Digest)] = []
        var mounts: [(Need, ImageReference)] = []
        for need in lacking {
            let key = "\(need.destination.domain)@\(need.digest)"
            if holders[key] == nil {
                for candidate in repositories[need.destination.domain] ?? [] where candidate.name != need.destination.name {
                    let client = try await clients.client(for: candidate)
                    if try await client.hasBlob(need.digest, in: candidate.repository) {
                        holders[key] = candidate
                        break
                    }
                }
            }
            if let holder = holders[key] { mounts.append((need, holder)) } else { missing.append((need.destination.name, need.digest)) }
        }
        guard missing.isEmpty else {
            throw MirrorError.deltaLayersMissing(archive: archive, bases: bases.map(\.name), missing: missing.map { "\($0.1) for \($0.0)" })
        }
        for (need, holder) in mounts {
            outcome.mounted += 1
            if dryRun { continue }
            let client = try await clients.client(for: need.destination)
            switch try await client.mountBlob(need.digest, from: holder.repository, into: need.destination.repository) {
            case .mounted:
                break
            case .uploadSession:
                throw MirrorError.deltaLayersMissing(
                    archive: archive, bases: bases.map(\.name),
                    missing: ["\(need.digest) for \(need.destination.name) (the registry would not mount it from \(holder.name))"])
            }
        }
        return outcome
    }
}
