import Archive
import Foundation
import Registry

/// Brings one blob into the cache: nothing if it is there, otherwise a download that resumes from
/// its partial file after an interruption (`Range`), with backoff between tries.
struct BlobFetcher: Sendable {
    let clients: RegistryClientPool
    let store: BlobStore
    let retry: RetryPolicy
    let progress: TransferProgress
    let events: @Sendable (BundleEvent) -> Void

    /// Returns whether bytes were transferred (false: served from the cache).
    ///
    /// `relay` hears of every byte as it lands in the cache (an upload reading along), and of the
    /// outcome: complete once verified, failed otherwise.
    @discardableResult
    func fetch(_ descriptor: Descriptor, from source: ImageReference, relay: GrowingFile? = nil) async throws -> Bool {
        do {
            return try await fetchIntoCache(descriptor, from: source, relay: relay)
        } catch {
            relay?.fail("\(error)")
            throw error
        }
    }

    private func fetchIntoCache(_ descriptor: Descriptor, from source: ImageReference, relay: GrowingFile?) async throws -> Bool {
        if store.contains(descriptor) {
            relay?.attachComplete(path: store.path(for: descriptor.digest))
            events(.blobCached(descriptor))
            return false
        }
        let client = try await clients.client(for: source)
        var attempt = 1
        while true {
            let ingest = try store.beginIngest(descriptor)
            ingest.relay = relay
            do {
                let sink = CountingSink(ingest, progress: progress)
                try await client.streamBlob(
                    descriptor.digest, from: source.repository, into: sink, offset: ingest.resumeOffset, retriesTransientFailures: false)
                try ingest.commit()
                events(.blobFetched(descriptor))
                return true
            } catch where RetryPolicy.isTransient(error) {
                // One budget for every kind of try: the client does not retry this call itself
                // (two nested loops made 5 × 5 requests and minutes of backoff). A body cut short
                // leaves its partial file, and the next try asks only for the rest.
                guard let delay = retry.delay(afterAttempt: attempt, retryAfter: (error as? RegistryError)?.retryAfter) else { throw error }
                events(.retrying(subject: "blob \(descriptor.digest) of \(source.name)", reason: "\(error)"))
                try await retry.sleep(delay)
                attempt += 1
            }
        }
    }
}
