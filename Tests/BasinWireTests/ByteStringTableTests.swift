import BasinTestKit
import BasinWire
import Testing

@Suite("ByteStringTable")
struct ByteStringTableTests {
    /// Strings of every length up to 40 (the hash reads words, a tail word and the length),
    /// including ones that differ only in their last byte or by a trailing zero byte.
    static let strings: [[UInt8]] = {
        var result: [[UInt8]] = []
        for length in 0...40 {
            let base = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            result.append(base)
            if length > 0 {
                var changed = base
                changed[length - 1] ^= 0x20
                result.append(changed)
            }
            result.append(base + [0])
        }
        return result
    }()

    @Test("numbers distinct strings densely and finds each again", arguments: [0, 4, 1_000])
    func insertAndFind(reserved: Int) {
        var table = ByteStringTable()
        if reserved > 0 { table.reserveCapacity(reserved, bytes: reserved * 8) }
        var ids: [[UInt8]: Int] = [:]
        for string in Self.strings {
            let (id, inserted) = string.withUnsafeBytes { table.insert($0) }
            if let known = ids[string] {
                #expect(!inserted && id == known)
            } else {
                #expect(inserted && id == ids.count)
                ids[string] = id
            }
        }
        #expect(table.count == ids.count)
        for (string, id) in ids {
            #expect(string.withUnsafeBytes { table.id(of: $0) } == id)
            #expect(string.withUnsafeBytes { table.insert($0) } == (id, false))
            #expect(table.withBytes(of: id) { Array($0) } == string)
        }
        #expect(Array("absent".utf8).withUnsafeBytes { table.id(of: $0) } == nil)
    }

    @Test("reserving capacity after inserts keeps every id")
    func reserveAfterInserts() {
        var table = ByteStringTable()
        let names = (0..<100).map { Array("series.\($0).name".utf8) }
        for name in names { _ = name.withUnsafeBytes { table.insert($0) } }
        table.reserveCapacity(10_000, bytes: 100_000)
        for (id, name) in names.enumerated() {
            #expect(name.withUnsafeBytes { table.id(of: $0) } == id)
        }
        #expect(table.string(42) == "series.42.name")
    }

    @Test("finds and copies another table's strings by id, as their bytes would")
    func stringsOfAnotherTable() {
        var source = ByteStringTable()
        for string in Self.strings { _ = string.withUnsafeBytes { source.insert($0) } }
        var target = ByteStringTable()
        for id in stride(from: 0, to: source.count, by: 2) { _ = target.insert(id, of: source) }
        for id in 0..<source.count {
            let expected = source.withBytes(of: id) { target.id(of: $0) }
            #expect(target.id(of: id, in: source) == expected)
            #expect((expected != nil) == id.isMultiple(of: 2))
        }
        for id in 0..<source.count {
            let (targetID, _) = target.insert(id, of: source)
            #expect(target.withBytes(of: targetID) { Array($0) } == source.withBytes(of: id) { Array($0) })
        }
        #expect(target.count == source.count)
    }
}
