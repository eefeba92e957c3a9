/// Text from outside airgap — an image name from an archive, a registry's error message, a node
/// name from a crictl snapshot — made safe to show on a terminal or to write into a script's
/// comment: every character that is not shown as itself becomes a visible escape.
///
/// A name holding ESC can recolour or clear the terminal and rewrite what was printed before it;
/// CR or a line break can print a fake line (`OK: …`) over the real one; U+202E and the other
/// bidirectional controls reorder what is displayed (the "Trojan Source" trick); a line break in a
/// `#` comment starts a command. So escaped are the controls (C0 with TAB and LF, DEL, C1), the
/// format characters (bidi controls, zero-width characters, the byte-order mark, soft hyphen…)
/// and the line and paragraph separators. Everything else, accented letters and CJK included,
/// stays as it is.
///
/// Escapes: `\x1b` for a character up to U+00FF, `\u{202e}` above. They are for reading, not for
/// parsing back (a backslash is left as it is). Values that must keep their exact bytes — image
/// names given to podman, JSON output — are quoted or encoded instead, never escaped.
public enum VisibleText {
    /// `text` with every character that is not shown as itself escaped.
    public static func escaping(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscaping) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if needsEscaping(scalar) {
                escaped += escape(scalar)
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// `text` line by line: the line breaks (LF) between lines stay, everything else is escaped as
    /// by ``escaping(_:)``. For output that is several lines on purpose (a table, a listing).
    public static func escapingLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { escaping(String($0)) }.joined(separator: "\n")
    }

    /// Whether `scalar` is not shown as itself: a control, a format character, or a line or
    /// paragraph separator.
    public static func needsEscaping(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) { return true }
        if scalar.isASCII { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// The escape for one scalar: `\xHH` up to U+00FF, `\u{H…}` above, lowercase hex.
    public static func escape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return scalar.value <= 0xff ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex : "\\u{\(hex)}"
    }
}
