#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Closes a descriptor, ignoring errors (the data was synced earlier, or is being abandoned).
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

/// An I/O failure with the failing call, the path and `errno`'s text.
struct FileIOError: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var errnoValue: Int32

    var description: String {
        "\(operation) \(path): \(String(cString: strerror(errnoValue))) (errno \(errnoValue))"
    }
}

/// A thin owner of a POSIX file descriptor; every call retries on `EINTR`.
///
/// Not thread-safe by itself: the write-ahead log serializes writes under its lock and only the
/// syncer calls ``sync()``, which POSIX allows concurrently with writes on the same descriptor.
final class PosixFile: @unchecked Sendable {
    let path: String
    private(set) var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { closeDescriptor(descriptor) }
    }

    /// Opens (or creates) a file for reading and writing.
    static func openReadWrite(_ path: String, create: Bool) throws(FileIOError) -> PosixFile {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw FileIOError(operation: "open", path: path, errnoValue: errno) }
        return PosixFile(path: path, descriptor: fd)
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(FileIOError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = pwrite(descriptor, base + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIOError(operation: "write", path: path, errnoValue: errno)
            }
            done += n
        }
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: [UInt8], at offset: Int) throws(FileIOError) {
        let failure: FileIOError? = bytes.withUnsafeBytes { b -> FileIOError? in
            do throws(FileIOError) { try write(b, at: offset) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Flushes file data to stable storage (`fdatasync`: the size change of an append is data).
    func sync() throws(FileIOError) {
        while fdatasync(descriptor) != 0 {
            if errno == EINTR { continue }
            throw FileIOError(operation: "fdatasync", path: path, errnoValue: errno)
        }
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: Int) throws(FileIOError) {
        while ftruncate(descriptor, off_t(length)) != 0 {
            if errno == EINTR { continue }
            throw FileIOError(operation: "ftruncate", path: path, errnoValue: errno)
        }
    }

    /// The current file size in bytes.
    func size() throws(FileIOError) -> Int {
        var st = stat()
        guard fstat(descriptor, &st) == 0 else { throw FileIOError(operation: "fstat", path: path, errnoValue: errno) }
        return Int(st.st_size)
    }

    /// Reads the whole file.
    func readAll() throws(FileIOError) -> [UInt8] {
        let total = try size()
        var out = [UInt8](repeating: 0, count: total)
        var done = 0
        var failure: Int32 = 0
        out.withUnsafeMutableBytes { buf in
            guard let base = buf.baseAddress else { return }
            while done < total {
                let n = pread(descriptor, base + done, total - done, off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { break }
                done += n
            }
        }
        if failure != 0 { throw FileIOError(operation: "read", path: path, errnoValue: failure) }
        if done < total { out.removeLast(total - done) }
        return out
    }

    /// Closes the descriptor; later calls fail with `EBADF`.
    func close() {
        if descriptor >= 0 { closeDescriptor(descriptor) }
        descriptor = -1
    }
}

private func renameFile(_ from: String, _ to: String) -> Int32 {
    rename(from, to)
}

/// Directory operations the engine needs.
enum Directory {
    /// Creates `path` and its parents when missing.
    static func create(_ path: String) throws(FileIOError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw FileIOError(operation: "mkdir", path: prefix, errnoValue: errno)
            }
        }
    }

    /// The names of entries in `path` (no `.`/`..`).
    static func list(_ path: String) throws(FileIOError) -> [String] {
        guard let dir = opendir(path) else { throw FileIOError(operation: "opendir", path: path, errnoValue: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Fsyncs a directory so created and renamed entries survive a crash.
    static func sync(_ path: String) throws(FileIOError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIOError(operation: "open", path: path, errnoValue: errno) }
        defer { closeDescriptor(fd) }
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw FileIOError(operation: "fsync", path: path, errnoValue: errno)
        }
    }

    /// Seconds since the Unix epoch (names of quarantine folders).
    static func unixSeconds() -> Int {
        Int(time(nil))
    }

    /// Removes a file.
    static func remove(_ path: String) throws(FileIOError) {
        guard unlink(path) == 0 else { throw FileIOError(operation: "unlink", path: path, errnoValue: errno) }
    }

    /// Renames `from` to `to` (same file system).
    static func rename(_ from: String, _ to: String) throws(FileIOError) {
        guard renameFile(from, to) == 0 else { throw FileIOError(operation: "rename", path: from, errnoValue: errno) }
    }
}
