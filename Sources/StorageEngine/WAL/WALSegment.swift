/// Segment file naming and the fixed segment header.
enum WALSegment {
    /// `B W A L`, then format version 2, then three zero bytes (what new segments start with).
    static let header: [UInt8] = [0x42, 0x57, 0x41, 0x4C, 2, 0, 0, 0]
    static var headerSize: Int { header.count }

    /// Whether `bytes` (at least ``headerSize``) start with a header this version reads: format
    /// version 1 (inline label sets only) or 2 (adds series references, `Docs/wal.md`).
    static func isKnownHeader(_ bytes: some Collection<UInt8>) -> Bool {
        let head = Array(bytes.prefix(headerSize))
        guard head.count == headerSize, head[0..<4].elementsEqual(header[0..<4]), head[5...].allSatisfy({ $0 == 0 }) else { return false }
        return head[4] == 1 || head[4] == 2
    }

    /// `00000042` for segment 42 (eight digits, so names sort as numbers).
    static func name(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// The segment index of a file name, or nil when the name is not a segment's.
    static func index(ofName name: String) -> Int? {
        guard name.utf8.count >= 8, name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int(name)
    }

    /// Creates a new, empty segment holding only the header, synced.
    static func create(directory: String, index: Int) throws(FileIOError) -> PosixFile {
        let file = try PosixFile.openReadWrite(directory + "/" + name(index), create: true)
        try file.truncate(to: 0)
        try file.write(header, at: 0)
        try file.sync()
        return file
    }
}
