import Archive
import Foundation
import OCI
import Registry

/// Brings one blob into the cache, verified: a cached copy is hashed (a damaged one is evicted and
/// fetched again in the same run), a missing one comes through the registry client's download
/// (resume, retries, verification) into a cache ingest.
struct BlobFetcher: Sendable {
    let clients: RegistryClientPool
    let store: BlobStore
    let progress: TransferProgress
    let events: @Sendable (BundleEvent) -> Void

    /// Returns whether bytes were transferred (false: served from the cache). Either way the cache
    /// file has just been verified.
    ///
    /// `relay` hears of every byte as it lands in the cache (an upload reading along), and of the
    /// outcome: complete once verified, failed otherwise.
    @discardableResult
    func fetch(_ descriptor: Descriptor, from source: ImageReference, relay: GrowingFile? = nil) async throws -> Bool {
        do {
            if store.contains(descriptor) {
                if try store.verifiedCopy(descriptor) {
                    relay?.attachComplete(path: store.path(for: descriptor.digest))
                    events(.blobCached(descriptor))
                    return false
                }
                events(.retrying(subject: "blob \(descriptor.digest) of \(source.name)", reason: "the cache held a damaged copy (evicted)"))
            }
            let client = try await clients.client(for: source)
            let ingest = try store.beginIngest(descriptor)
            let target: any BlobTarget = relay.map { RelayedIngest(ingest, relay: $0, committedPath: store.path(for: descriptor.digest)) } ?? ingest
            try await client.download(
                descriptor, from: source.repository, into: target,
                onBytes: { [progress] in progress.addFetched($0) },
                onRetry: { [events] notice in
                    events(.retrying(subject: "blob \(descriptor.digest) of \(source.name)", reason: "\(notice)"))
                })
            events(.blobFetched(descriptor))
            return true
        } catch {
            relay?.fail("\(error)")
            throw error
        }
    }
}

/// A cache ingest that an upload reads while it lands (mirror's relay): the upload follows the
/// partial file as it grows, and learns whether the bytes verified. Its last byte is held back
/// until they have: the destination never completes a blob this side has not verified, however
/// it checks digests itself.
final class RelayedIngest: BlobTarget, @unchecked Sendable {
    private let ingest: BlobIngest
    private let relay: GrowingFile
    private let committedPath: String

    init(_ ingest: BlobIngest, relay: GrowingFile, committedPath: String) {
        self.ingest = ingest
        self.relay = relay
        self.committedPath = committedPath
        // A private partial is not shared: the relay waits for the committed cache file.
        guard !ingest.isPrivate else { return }
        let releasable = max(0, ingest.descriptor.size - 1)
        relay.attach(path: ingest.partialPath, available: min(ingest.heldBytes, releasable))
        ingest.onLengthChange = { [relay] in relay.advance(to: min($0, releasable)) }
    }

    var heldBytes: Int64 { ingest.heldBytes }
    func readHeld(_ body: (UnsafeRawBufferPointer) throws -> Void) throws { try ingest.readHeld(body) }
    func restart() throws { try ingest.restart() }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try ingest.write(bytes) }

    func commit() throws {
        try ingest.commit()
        if ingest.isPrivate {
            relay.attachComplete(path: committedPath)
        } else {
            relay.finish()
        }
    }

    func discard() {
        ingest.discard()
        relay.fail("the download of \(ingest.descriptor.digest) did not verify")
    }
}
