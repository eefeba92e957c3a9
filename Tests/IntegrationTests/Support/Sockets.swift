import Foundation

/// A loopback port with nothing listening: bind, read the port, close.
enum ClosedPort {
    static func find() throws -> UInt16 {
        let socket = try ListeningSocket()
        return socket.port
    }
}

/// A loopback server that accepts connections (the kernel does, through the backlog) and never
/// answers, to hold a transfer in flight.
final class SilentServer {
    private let socket: ListeningSocket
    var port: UInt16 { socket.port }

    init() throws {
        socket = try ListeningSocket()
    }

    /// Whether a client has connected (the kernel holds the connection, unanswered): a command
    /// that connected here is past its start-up and inside its work.
    var hasWaitingConnection: Bool {
        var entry = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLIN) != 0
    }

    /// Returns once a client has connected, however long that takes: no deadline to outrun on a
    /// loaded machine (under ThreadSanitizer a 2-minute one was). The wait blocks a Dispatch
    /// thread, never one of the cooperative pool the client needs.
    func waitForConnection() async {
        let descriptor = socket.descriptor
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                while poll(&entry, 1, -1) != 1 || entry.revents & Int16(POLLIN) == 0 {}
                done.resume()
            }
        }
    }
}

/// A TCP socket bound to 127.0.0.1 on an ephemeral port and listening; closed on deinit.
final class ListeningSocket {
    let descriptor: Int32
    let port: UInt16

    struct Failure: Error { let call: String; let code: Int32 }

    init() throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(call: "socket", code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else {
            close(descriptor)
            throw Failure(call: "bind/listen", code: errno)
        }
        var actual = sockaddr_in()
        var actualLength = length
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: actual.sin_port)
    }

    deinit { close(descriptor) }
}
