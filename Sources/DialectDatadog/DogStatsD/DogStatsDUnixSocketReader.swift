import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a Unix datagram socket on a thread of its own.
///
/// Why not NIO's `DatagramBootstrap.bind(unixDomainSocketPath:)`: DogStatsD clients (datadogpy,
/// the Go and Java clients) send from *unbound* sockets, so `recvmsg` reports an empty peer
/// address, which NIOPosix refuses to convert (`SocketAddressError.unsupported`, the datagram
/// is lost; its vector-read path even traps on it). A plain `recv` loop does not care who sent.
final class DogStatsDUnixSocketReader: Sendable {
    let fd: Int32
    let path: String
    let stopping = Atomic<Bool>(false)
    let finished: Mutex<(done: Bool, waiter: CheckedContinuation<Void, Never>?)> = Mutex((false, nil))

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Binds `path` (replacing a stale socket file there) and starts reading; `onPacket` gets
    /// each datagram (valid only during the call), on the reader's thread.
    static func start(path: String, maxPacketBytes: Int, onPacket: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) throws -> DogStatsDUnixSocketReader {
        var address = sockaddr_un()
        let pathBytes = Array(path.utf8)
        guard !pathBytes.isEmpty, pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw DogStatsDSocketError(message: "dogstatsd-socket path must be 1 to \(MemoryLayout.size(ofValue: address.sun_path) - 1) bytes: \(path)")
        }
        var status = stat()
        if lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { throw DogStatsDSocketError(message: "socket(AF_UNIX, SOCK_DGRAM): errno \(errno)") }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in pathBytes.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw DogStatsDSocketError(message: "cannot bind the DogStatsD socket \(path): errno \(code)")
        }
        let reader = DogStatsDUnixSocketReader(fd: fd, path: path)
        let thread = Thread { reader.readLoop(maxPacketBytes: maxPacketBytes, onPacket: onPacket) }
        thread.name = "basin-dogstatsd-uds"
        thread.start()
        return reader
    }

    private func readLoop(maxPacketBytes: Int, onPacket: @Sendable (UnsafeRawBufferPointer) -> Void) {
        // One byte more than the limit, so an oversize datagram is seen as such (and rejected).
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: maxPacketBytes + 1, alignment: 1)
        defer { buffer.deallocate() }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while !stopping.load(ordering: .acquiring) {
            // Wake up now and then to notice `stop()`; closing a descriptor another thread reads is racy.
            let ready = poll(&poller, 1, 100)
            guard ready > 0 else { continue }
            let count = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { onPacket(UnsafeRawBufferPointer(rebasing: buffer[..<count])) }
        }
        close(fd)
        unlink(path)
        let waiter = finished.withLock { state in
            state.done = true
            return state.waiter
        }
        waiter?.resume()
    }

    /// Stops reading, closes the socket and removes its file; returns once the thread ended.
    func stop() async {
        stopping.store(true, ordering: .releasing)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = finished.withLock { state in
                if !state.done { state.waiter = continuation }
                return state.done
            }
            if done { continuation.resume() }
        }
    }
}

/// A DogStatsD socket that cannot be opened.
public struct DogStatsDSocketError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    public var description: String { message }
}
