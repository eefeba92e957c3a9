import OCI

// The strings users type: image references, and the digests and platforms inside them.
// Each parser must return a value or throw its own error for any bytes; a value must survive
// printing and parsing again unchanged, since archives and mirror sets store the printed form.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)

    if let reference = try? ImageReference(text) {
        checkRoundTrip(reference)
    }
    if let digest = try? Digest(text) {
        precondition(digest.description == text, "digest \(text) prints as \(digest)")
    }
    if let platform = try? Platform(text) {
        precondition(platform.description == text, "platform \(text) prints as \(platform)")
        _ = platform.normalized().description
        _ = Platform.default.matches(platform)
    }
    return 0
}

private func checkRoundTrip(_ reference: ImageReference) {
    let printed = reference.description
    guard let reparsed = try? ImageReference(printed) else {
        preconditionFailure("\(printed) does not parse again")
    }
    precondition(reparsed == reference && reparsed.description == printed, "\(printed) parses as \(reparsed)")

    // Built from its parts, the same reference.
    let rebuilt = try? ImageReference(
        domain: reference.domain, repository: reference.repository,
        tag: reference.isTagImplied ? nil : reference.tag, digest: reference.digest)
    precondition(rebuilt == reference, "\(printed) rebuilt from its parts is \(String(describing: rebuilt))")
    precondition((try? ImageReference.Repository(reference.repository.value)) != nil, "repository of \(printed)")

    _ = reference.familiar
    _ = reference.manifestReference
    _ = reference.pinnedReference
    _ = reference.withTag(.latest).description
}
