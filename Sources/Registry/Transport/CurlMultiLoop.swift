import CCurl
import Foundation

/// Drives every transfer of the process through one curl multi handle on one dedicated thread.
///
/// Why the multi interface on its own thread, and not `curl_easy_perform`: a blocking perform would
/// hold a thread per transfer, and on Swift's cooperative pool (one thread per core, two here) that
/// would starve every other task. One thread waiting in `curl_multi_poll` serves any number of
/// transfers, and the multi handle's connection cache lets transfers to the same host reuse
/// connections (and multiplex over HTTP/2). Callbacks run on this thread and must not block long:
/// sinks only write to files and hash.
final class CurlMultiLoop: @unchecked Sendable {
    static let shared = CurlMultiLoop()

    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    /// Submitted but not yet added to the multi handle (guarded by `lock`).
    private var incoming: [Transfer] = []
    /// Added to the multi handle; touched only on the loop thread.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]

    private init() {
        Curl.initializeOnce()
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.multi = multi
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "airgap.curl"
        thread.start()
    }

    /// Hands a configured transfer to the loop; its continuation is resumed on completion.
    func submit(_ transfer: Transfer) {
        lock.withLock { incoming.append(transfer) }
        curl_multi_wakeup(multi)
    }

    /// Asks the loop to abandon `transfer`; it resumes with `CancellationError` promptly.
    func cancel(_ transfer: Transfer) {
        transfer.requestCancel()
        curl_multi_wakeup(multi)
    }

    private func run() {
        while true {
            addIncoming()
            dropCancelled()
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            collectFinished()
            let resumed = resumePaused()
            // Sleeps until a socket is ready, a wakeup arrives, or a second passes (curl's timers);
            // not at all when a transfer was just resumed, and briefly while one waits for bytes or room.
            let waiting = active.values.contains { $0.waitingForBody || $0.waitingForRoom }
            curl_multi_poll(multi, nil, 0, resumed ? 0 : waiting ? 50 : 1000, nil)
        }
    }

    private func addIncoming() {
        let batch = lock.withLock {
            defer { incoming.removeAll() }
            return incoming
        }
        for transfer in batch {
            if transfer.cancelRequested {
                transfer.completeCancelled()
                continue
            }
            let code = curl_multi_add_handle(multi, transfer.easy.raw)
            if code == CURLM_OK {
                active[transfer.easy.raw] = transfer
            } else {
                // Only happens on misuse or out of memory; report it through the normal path.
                transfer.complete(CURLE_FAILED_INIT)
            }
        }
    }

    private func dropCancelled() {
        for (handle, transfer) in active where transfer.cancelRequested {
            curl_multi_remove_handle(multi, handle)
            active[handle] = nil
            transfer.completeCancelled()
        }
    }

    /// Unpauses uploads whose relayed body has new bytes, and downloads whose relay has room again.
    /// Producer and consumer both run on this thread, so checking after every perform sees each
    /// write and each read.
    private func resumePaused() -> Bool {
        var resumed = false
        for (handle, transfer) in active where transfer.shouldResumeUpload || transfer.shouldResumeDownload {
            curl_easy_pause(handle, 0)  // CURLPAUSE_CONT: both directions on
            resumed = true
        }
        return resumed
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, handle)
            if let transfer = active.removeValue(forKey: handle) {
                transfer.complete(code)
            }
        }
    }
}
