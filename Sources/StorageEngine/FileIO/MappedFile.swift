#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory.
///
/// Blocks are read through a mapping so that their index and chunks stay in the page cache,
/// not on the Swift heap: resident memory does not grow with the data on disk, and the kernel
/// drops cold pages under pressure. The mapping lives as long as this object; a file unlinked
/// while mapped stays readable until then, so retention and compaction can delete a block that
/// a query is still reading.
final class MappedFile: @unchecked Sendable {
    let path: String
    /// The file's bytes; valid for the life of this object.
    let bytes: UnsafeRawBufferPointer

    private init(path: String, bytes: UnsafeRawBufferPointer) {
        self.path = path
        self.bytes = bytes
    }

    deinit {
        if let base = bytes.baseAddress, bytes.count > 0 {
            _ = munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    /// Maps `path` read-only.
    static func open(_ path: String) throws(FileIOError) -> MappedFile {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIOError(operation: "open", path: path, errnoValue: errno) }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileIOError(operation: "fstat", path: path, errnoValue: errno) }
        let size = Int(info.st_size)
        guard size > 0 else { return MappedFile(path: path, bytes: UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let base = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw FileIOError(operation: "mmap", path: path, errnoValue: errno)
        }
        return MappedFile(path: path, bytes: UnsafeRawBufferPointer(start: base, count: size))
    }
}
