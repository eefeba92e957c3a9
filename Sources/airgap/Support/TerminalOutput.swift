import Foundation
import OCI

/// Where the CLI's lines go, each through ``VisibleText``: a line may carry an image name from an
/// archive, a node name from a snapshot or a registry's own error message, and none of them may
/// reach a terminal raw (ESC sequences, CR, U+202E…). JSON and YAML output is data and is printed
/// as encoded; generated scripts quote their values themselves (`ShellQuoting`).
enum TerminalOutput {
    /// One line on stdout, escaped whole: a line break inside it is shown as `\x0a`.
    static func line(_ text: String) {
        print(VisibleText.escaping(text))
    }

    /// Text of several lines on stdout, each escaped; the line breaks between them stay.
    static func lines(_ text: String, terminator: String = "\n") {
        print(VisibleText.escapingLines(text), terminator: terminator)
    }

    /// One line on stderr, escaped whole, after flushing stdout so that on a terminal it comes
    /// after everything printed before it.
    static func errorLine(_ text: String) {
        fflush(nil)
        FileHandle.standardError.write(Data((VisibleText.escaping(text) + "\n").utf8))
    }

    /// An error of several lines on stderr (a list of images that failed, of layers missing): each
    /// line escaped, the line breaks between them kept, so the list reads as a list.
    static func errorLines(_ text: String) {
        fflush(nil)
        FileHandle.standardError.write(Data((VisibleText.escapingLines(text) + "\n").utf8))
    }
}
