/// Segment file naming and the fixed segment header.
enum WALSegment {
    /// `B W A L`, then format version 1, then three zero bytes.
    static let header: [UInt8] = [0x42, 0x57, 0x41, 0x4C, 1, 0, 0, 0]
    static var headerSize: Int { header.count }

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
