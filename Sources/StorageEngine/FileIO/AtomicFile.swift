#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small files that are replaced whole: the metric-kinds, metric-metadata and tombstones tables.
enum AtomicFile {
    /// The bytes of `directory/name`, or nil when there is no such file.
    static func read(directory: String, name: String) throws(FileIOError) -> [UInt8]? {
        let file: PosixFile
        do throws(FileIOError) {
            file = try PosixFile.openReadWrite(directory + "/" + name, create: false)
        } catch {
            if error.errnoValue == ENOENT { return nil }
            throw error
        }
        defer { file.close() }
        return try file.readAll()
    }

    /// Replaces `directory/name` with `bytes`: a temporary file, fsync, rename, directory
    /// fsync, so a crash leaves the old or the new content, never a mix (a leftover `.tmp` is
    /// deleted at start-up with the blocks' temporary files).
    static func write(_ bytes: [UInt8], directory: String, name: String) throws(FileIOError) {
        let tmp = directory + "/" + name + ".tmp"
        let file = try PosixFile.openReadWrite(tmp, create: true)
        try file.truncate(to: 0)
        try file.write(bytes, at: 0)
        try file.sync()
        file.close()
        try Directory.rename(tmp, directory + "/" + name)
        try Directory.sync(directory)
    }

    /// Removes `directory/name` durably, if it exists.
    static func remove(directory: String, name: String) throws(FileIOError) {
        guard try Directory.list(directory).contains(name) else { return }
        try Directory.remove(directory + "/" + name)
        try Directory.sync(directory)
    }
}
