import BasinModel
import BasinTestKit
import Testing

@Suite("ByteColumn")
struct ByteColumnTests {
    @Test("Random appends, in-place writes, removals and copies match an array", arguments: 0..<20)
    func matchesArray(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        var column = ByteColumn()
        var model: [UInt8] = []
        var snapshots: [(ByteColumn, [UInt8])] = []
        for _ in 0..<400 {
            switch Int.random(in: 0..<10, using: &g) {
            case 0..<5:
                let bytes = (0..<Int.random(in: 0...(Bool.random(using: &g) ? 40 : 700), using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
                bytes.withUnsafeBytes { column.append($0) }
                model += bytes
            case 5..<7:
                // A writer given room for more than it writes.
                let room = Int.random(in: 0...64, using: &g)
                let written = Int.random(in: 0...room, using: &g)
                let fill = UInt8.random(in: 0...255, using: &g)
                column.append(maximumCount: room) { destination in
                    destination.initializeMemory(as: UInt8.self, repeating: fill, count: written)
                    return written
                }
                model += [UInt8](repeating: fill, count: written)
            case 7:
                let k = Int.random(in: 0...model.count, using: &g)
                column.removeLast(k)
                model.removeLast(k)
            case 8:
                snapshots.append((column, model))
            default:
                column.reserveCapacity(column.count + Int.random(in: 0...100, using: &g))
            }
            #expect(column.count == model.count)
        }
        #expect(column.array == model)
        #expect(column == ByteColumn(model))
        // Writes after a copy never show through it.
        for (copy, bytes) in snapshots { #expect(copy.array == bytes) }
        if model.count >= 3 { #expect(column[1..<3] == Array(model[1..<3])) }
        column.removeAll()
        #expect(column.isEmpty && column.array.isEmpty)
    }
}
