import Foundation
import OCI

/// Where a command's progress goes: redrawn in place on a terminal, plain lines in a log (stderr
/// not a terminal), nowhere with `-q`.
enum ProgressMode {
    case live, lines, quiet

    init(quiet: Bool) {
        self = quiet ? .quiet : isatty(STDERR_FILENO) == 1 ? .live : .lines
    }
}

/// Redraws a block of lines in place on stderr, on its own clock, the way podman and docker show
/// pulls: lines that are final scroll up above the block and stay; the block below them is
/// replaced on every tick. For terminals only — callers choose plain lines for logs.
final class LiveRedraw: @unchecked Sendable {
    /// What to draw now: lines to print once, above the block, and the block itself.
    typealias Frame = (permanent: [String], live: [String])

    private let lock = NSLock()
    private let render: @Sendable () -> Frame
    private var drawnLines = 0
    private var timer: DispatchSourceTimer?

    init(render: @escaping @Sendable () -> Frame) {
        self.render = render
    }

    /// A redraw already ticking.
    static func started(render: @escaping @Sendable () -> Frame) -> LiveRedraw {
        let redraw = LiveRedraw(render: render)
        redraw.start()
        return redraw
    }

    func start(every interval: DispatchTimeInterval = .milliseconds(200)) {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now(), repeating: interval)
        timer.setEventHandler { [weak self] in self?.redraw() }
        timer.resume()
        lock.withLock { self.timer = timer }
    }

    /// Stops the clock and leaves the last frame on screen.
    func stop() {
        let timer = lock.withLock { () -> DispatchSourceTimer? in
            defer { self.timer = nil }
            return self.timer
        }
        timer?.cancel()
        redraw()
    }

    private func redraw() {
        let text: String = lock.withLock {
            let frame = render()
            // Up to the top of the previous block, then every line cleared before it is written.
            var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
            // Each line escaped: a line break or an ESC in a name would break the block's count.
            text += (frame.permanent + frame.live).map { "\r\u{1B}[2K" + VisibleText.escaping($0) + "\n" }.joined()
            // A shorter block than last time: clear what is left below it.
            if frame.live.count + frame.permanent.count < drawnLines { text += "\u{1B}[J" }
            drawnLines = frame.live.count
            return text
        }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
