import BasinModel
import Glibc
import StorageAPI

/// Narrows a partition's candidate rows with the query's leading conjuncts, on the decoded
/// column arrays (bytes and primitives), before any row reaches the evaluator: a needle lookup
/// over a million rows compares bytes instead of building a million strings.
///
/// Exact, not approximate: a row is dropped only when the conjunct is false for it under the
/// evaluator's rules (string equality byte-wise; comparisons with a number only hold for int
/// and float values). Conjuncts of other shapes keep every row.
enum PartitionRowFilter {
    /// The rows of `rows` (partition row numbers) that can satisfy every usable conjunct.
    static func filter(_ rows: [Int32], _ conjuncts: [RecordExpr], column: (String) -> FieldColumn) -> [Int32] {
        var rows = rows
        for conjunct in conjuncts where !rows.isEmpty {
            guard let test = RowTest(conjunct), let values = column(test.field).partitionValues else { continue }
            rows = rows.filter { test.holds(values, Int($0)) }
        }
        return rows
    }
}

/// One usable conjunct: a top-level field compared with literals.
private struct RowTest {
    enum Kind {
        /// Equal to one of these strings, byte for byte.
        case stringIn([[UInt8]])
        case numeric(RecordBinaryOp, Double)
    }

    let field: String
    let kind: Kind

    init?(_ e: RecordExpr) {
        guard let condition = FieldCondition(e), condition.field != "_time" else { return nil }
        field = condition.field
        switch condition.test {
        case .compare(.eq, .string(let s)):
            kind = .stringIn([Array(s.utf8)])
        case .compare(let op, .int(let i)):
            // Beyond 2^53 a Double comparison could differ from the evaluator's: keep every row.
            guard abs(i) < 1 << 53 else { return nil }
            kind = .numeric(op, Double(i))
        case .compare(let op, .float(let d)):
            guard d.isFinite else { return nil }
            kind = .numeric(op, d)
        case .oneOf(let values):
            var strings: [[UInt8]] = []
            for v in values {
                guard case .string(let s) = v else { return nil }
                strings.append(Array(s.utf8))
            }
            kind = .stringIn(strings)
        default:
            return nil
        }
    }

    private static let intTag = RecordColumn.tag(of: .int)
    private static let floatTag = RecordColumn.tag(of: .float)
    private static let stringTag = RecordColumn.tag(of: .string)

    func holds(_ c: PartitionColumnValues, _ row: Int) -> Bool {
        let tag = c.tags[row]
        switch kind {
        case .numeric(let op, let x):
            let v: Double
            if tag == Self.intTag {
                let i = c.ints[Int(c.slots[row])]
                // Exact integers compare exactly; huge ones may round, so they pass through.
                guard abs(i) < 1 << 53 else { return true }
                v = Double(i)
            } else if tag == Self.floatTag {
                v = c.floats[Int(c.slots[row])]
            } else {
                return false
            }
            switch op {
            case .eq: return v == x
            case .lt: return v < x
            case .le: return v <= x
            case .gt: return v > x
            case .ge: return v >= x
            default: return true
            }
        case .stringIn(let needles):
            guard tag == Self.stringTag else { return false }
            let slot = Int(c.slots[row])
            if c.usesDictionary {
                let s = c.dictionary[Int(c.dictionaryIDs[slot])]
                return needles.contains { $0.elementsEqual(s.utf8) }
            }
            let start = Int(c.stringStarts[slot]), end = Int(c.stringStarts[slot + 1])
            return c.stringBytes.withUnsafeBufferPointer { bytes in
                needles.contains { needle in
                    needle.count == end - start
                        && needle.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress! + start, needle.count) == 0 }
                }
            }
        }
    }
}
