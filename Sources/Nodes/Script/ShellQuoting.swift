/// Turns any text into one bash word that means exactly that text.
///
/// Everything goes between single quotes, where bash interprets nothing (no `$`, no backquote,
/// no backslash, newlines kept); a single quote inside is closed, escaped and reopened: `'\''`.
/// So no image name, path or selector can end a word early or be read as code.
enum ShellQuoting {
    static func word(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// Text made safe for a `#` comment: a newline or other control character in it would end the
    /// comment and start a command, so each becomes `?`.
    static func comment(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(scalar.properties.generalCategory == .control ? "?" : scalar)
        }
        return String(scalars)
    }
}
