import OCI
import Testing

/// Names from archives, registries and snapshots reach terminals and scripts only through
/// VisibleText: every character not shown as itself becomes a visible escape, the rest stays.
@Suite struct VisibleTextTests {
    @Test(arguments: [
        // ESC sequences: colour, clear screen, cursor up, OSC (window title).
        ("busybox\u{1B}[31m:1\u{1B}[0m", #"busybox\x1b[31m:1\x1b[0m"#),
        ("\u{1B}[2J\u{1B}[1A", #"\x1b[2J\x1b[1A"#),
        ("\u{1B}]0;pwned\u{07}", #"\x1b]0;pwned\x07"#),
        // CR (overprint a line), BEL, NUL, backspace, DEL, TAB, line breaks.
        ("a:1\rOK: all good", #"a:1\x0dOK: all good"#),
        ("bell\u{07}", #"bell\x07"#),
        ("nul\u{0}x", #"nul\x00x"#),
        ("back\u{08}space\u{7F}", #"back\x08space\x7f"#),
        ("tab\tnewline\nend", #"tab\x09newline\x0aend"#),
        // C1 controls: CSI (U+009B) and NEL (U+0085).
        ("c1\u{9B}31m\u{85}", #"c1\x9b31m\x85"#),
        // Bidirectional and invisible format characters, and the line and paragraph separators.
        ("registry.example.com/\u{202E}gat:1", #"registry.example.com/\u{202e}gat:1"#),
        ("\u{2066}x\u{2069}", #"\u{2066}x\u{2069}"#),
        ("zero\u{200B}width\u{FEFF}", #"zero\u{200b}width\u{feff}"#),
        ("soft\u{AD}hyphen", #"soft\xadhyphen"#),
        ("line\u{2028}para\u{2029}", #"line\u{2028}para\u{2029}"#),
        // Shown as themselves: ASCII, accents, CJK, emoji, a backslash.
        ("docker.io/library/busybox:1.29", "docker.io/library/busybox:1.29"),
        ("café 日本 🚀 a\\b", "café 日本 🚀 a\\b"),
    ] as [(String, String)])
    func escapesWhatATerminalWouldNotShowAsItself(_ text: String, _ escaped: String) {
        #expect(VisibleText.escaping(text) == escaped)
        #expect(!VisibleText.escaping(text).unicodeScalars.contains(where: VisibleText.needsEscaping))
    }

    @Test func linesKeepTheirBreaksAndEscapeTheRest() {
        #expect(VisibleText.escapingLines("a\u{1B}[2J\nb\rc\n") == "a\\x1b[2J\nb\\x0dc\n")
    }

    @Test func everyScalarIsEitherShownOrEscaped() {
        // The whole Basic Multilingual Plane: nothing escapable survives, nothing else changes.
        for value in 0..<0x1_0000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(Character(scalar))
            let escaped = VisibleText.escaping(text)
            #expect(!escaped.unicodeScalars.contains(where: VisibleText.needsEscaping), "U+\(String(value, radix: 16))")
            if !VisibleText.needsEscaping(scalar) { #expect(escaped == text) }
        }
    }
}
