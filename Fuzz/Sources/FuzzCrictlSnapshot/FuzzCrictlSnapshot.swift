import Inventory

// `crictl images` output collected from nodes, in JSON or YAML, possibly several outputs with
// `oc debug`'s messages between them: what `airgap inventory diff` reads.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        for snapshot in try SnapshotLoader.parse(bytes, source: "fuzz-input") {
            _ = snapshot.node
            for image in snapshot.images {
                _ = image.repoTags.count + image.repoDigests.count
            }
        }
    } catch {
        _ = error.description
    }
    return 0
}
