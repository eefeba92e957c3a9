import OCI

/// Turns any text into one bash word that means exactly that text.
///
/// Everything goes between single quotes, where bash interprets nothing (no `$`, no backquote,
/// no backslash, newlines kept); a single quote inside is closed, escaped and reopened: `'\''`.
/// So no image name, path or selector can end a word early or be read as code.
///
/// Text holding a character that is not shown as itself (ESC, CR, U+202E: see ``VisibleText``)
/// is written in ANSI-C quotes instead, `$'…'`, with each such character as the `\xHH` escapes of
/// its UTF-8 bytes: bash reads back exactly the same bytes, and a script shown on a terminal (or
/// reviewed in an editor) shows every character, with nothing hidden or reordered.
enum ShellQuoting {
    static func word(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: VisibleText.needsEscaping) else {
            return "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        }
        var quoted = "$'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": quoted += #"\\"#
            case "'": quoted += #"\'"#
            case _ where VisibleText.needsEscaping(scalar):
                quoted += String(scalar).utf8.map { byte in
                    let hex = String(byte, radix: 16)
                    return "\\x" + (hex.count == 1 ? "0" : "") + hex
                }.joined()
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "'"
    }

    /// Text made safe for a `#` comment: a newline or other control character in it would end the
    /// comment and start a command, so each becomes a visible escape (``VisibleText``).
    static func comment(_ text: String) -> String {
        VisibleText.escaping(text)
    }
}
