/// The lines `oc debug` prints around a command's output (on stderr, so they appear in a file only
/// when the loop kept `2>&1`). They are not crictl output and are skipped; the pod name is kept,
/// as it tells which node the next output belongs to.
enum OcDebugMessage: Equatable {
    /// `Starting pod/NAME ...`
    case startingPod(String)
    /// Every other known message: `To use host binaries, run `chroot /host``, `Removing debug pod ...`,
    /// `Pod IP: …`, `If you don't see a command prompt, try pressing enter.`, the temporary
    /// namespace lines of newer oc, and PodSecurity `Warning:` lines.
    case other

    /// Line prefixes of the messages oc 4.x prints, from its `debug` command.
    private static let prefixes = [
        "To use host binaries, run ", "Removing debug pod ", "Pod IP: ", "If you don't see a command prompt",
        "Temporary namespace ", "Creating debug namespace/", "Removing debug namespace/", "Warning: ",
    ]

    init?(_ line: String) {
        if line.hasPrefix("Starting pod/") {
            let name = line.dropFirst("Starting pod/".count).prefix { !$0.isWhitespace }
            // "Starting pod/worker-0-debug ..." ends with an ellipsis that may touch the name.
            self = .startingPod(String(name.hasSuffix("...") ? name.dropLast(3) : name))
        } else if Self.prefixes.contains(where: line.hasPrefix) {
            self = .other
        } else {
            return nil
        }
    }
}
