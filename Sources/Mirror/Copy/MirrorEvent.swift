import Foundation
import OCI
import Registry

/// Something worth telling the user while mirroring. Delivered from many tasks at once: handlers
/// must be thread-safe.
public enum MirrorEvent: Sendable {
    /// The images that need pushing, in order; later events name them by their position here.
    case planned([MirrorImage])
    /// The destination tag already points at the source's digest: nothing to send.
    case upToDate(source: String, destination: String)
    /// Body bytes of a blob upload on their way out; negative when an attempt failed and its bytes
    /// will be sent again. Counted for the first image that needs the blob.
    case bytesSent(image: Int, count: Int64)
    /// A blob is at the destination for image `image` (and maybe others): sent, mounted or there already.
    case blobDone(image: Int, digest: Digest, outcome: BlobPushOutcome)
    /// All of an image is at the destination, its tag last; or `failure` says why not.
    case imageDone(image: Int, failure: String?)
    case retrying(subject: String, reason: String)
}

/// What a progress display needs to know about one image to push.
public struct MirrorImage: Sendable {
    public var source: String
    /// The full destination reference, with its tag or digest.
    public var destination: String
    /// The destination repository with its registry (blob events are per repository).
    public var repository: String
    public var blobs: [Descriptor]

    public var totalSize: Int64 { blobs.totalSize }
}
