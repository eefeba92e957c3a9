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
    @discardableResult
    func fetch(_ descriptor: Descriptor, from source: ImageReference) async throws -> Bool {
        if store.contains(descriptor) {
            events(.blobCached(descriptor))
            return false
        }
        let client = try await clients.client(for: source)
        var attempt = 1
        while true {
            let ingest = try store.beginIngest(descriptor)
            do {
                let sink = CountingSink(ingest, progress: progress)
                try await client.streamBlob(descriptor.digest, from: source.repository, into: sink, offset: ingest.resumeOffset)
                try ingest.commit()
                events(.blobFetched(descriptor))
                return true
            } catch where RetryPolicy.isTransient(error) {
                // The partial file stays: the next try asks only for the rest.
                guard let delay = retry.delay(afterAttempt: attempt, retryAfter: nil) else { throw error }
                events(.retrying(subject: "blob \(descriptor.digest) of \(source.name)", reason: "\(error)"))
                try await retry.sleep(delay)
                attempt += 1
            }
        }
    }
}
