import BasinModel

/// The running reduction of one aggregation group at every step, for the operators that fold
/// one value at a time: `sum`, `avg`, `min`, `max`, `count` and `group`.
///
/// Folding the members in order gives bit for bit what ``AggregateOperator/reduce(_:_:parameter:)``
/// gives on the same values in the same order: the same Neumaier steps for `sum` and `avg`, the
/// same comparisons for `min` and `max`, and for `avg` the incremental mean Prometheus falls back
/// to when the sum overflows, kept alongside so the values need not be held.
///
/// The running state lives in one allocation addressed by pointer, so folding a value costs no
/// copy-on-write uniqueness checks (a struct of arrays inside an array of groups pays one per write).
final class GroupAccumulator {
    let op: AggregateOperator
    let steps: Int
    /// Five rows of `steps`: count, sum (or min/max), compensation, incremental mean, saw-infinity flag.
    private let storage: UnsafeMutablePointer<Double>
    private var count: UnsafeMutablePointer<Double> { storage }
    private var sum: UnsafeMutablePointer<Double> { storage + steps }
    private var compensation: UnsafeMutablePointer<Double> { storage + 2 * steps }
    private var mean: UnsafeMutablePointer<Double> { storage + 3 * steps }
    private var sawInfinity: UnsafeMutablePointer<Double> { storage + 4 * steps }

    /// Whether `op` folds one value at a time (the others need every value of a step at once).
    static func folds(_ op: AggregateOperator) -> Bool {
        switch op {
        case .sum, .avg, .min, .max, .count, .group: true
        default: false
        }
    }

    init(_ op: AggregateOperator, steps: Int) {
        self.op = op
        self.steps = Swift.max(0, steps)
        storage = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, 5 * self.steps))
        storage.initialize(repeating: 0, count: Swift.max(1, 5 * self.steps))
    }

    deinit {
        storage.deallocate()
    }

    /// Folds one member's value at step `i` (`0 <= i < steps`).
    @inline(__always)
    func add(_ v: Double, at i: Int) {
        precondition(i >= 0 && i < steps, "step out of range")
        count[i] += 1
        switch op {
        case .sum:
            Kahan.add(v, to: &sum[i], compensation: &compensation[i])
        case .avg:
            Kahan.add(v, to: &sum[i], compensation: &compensation[i])
            if v.isInfinite { sawInfinity[i] = 1 }
            let n = count[i]
            mean[i] += v / n - mean[i] / n
        case .min:
            if count[i] == 1 || v < sum[i] || sum[i].isNaN { sum[i] = v }
        case .max:
            if count[i] == 1 || v > sum[i] || sum[i].isNaN { sum[i] = v }
        default:
            break
        }
    }

    /// Folds one member's `values` at every step `i` where `present[i] > 0`: the same as
    /// ``add(_:at:)`` at each such step, with the operator chosen once rather than per value.
    func add(_ values: UnsafeBufferPointer<Double>, present: UnsafeBufferPointer<Int32>) {
        let n = Swift.min(steps, values.count, present.count)
        switch op {
        case .sum:
            for i in 0..<n where present[i] > 0 {
                count[i] += 1
                Kahan.add(values[i], to: &sum[i], compensation: &compensation[i])
            }
        case .min, .max, .avg:
            for i in 0..<n where present[i] > 0 { add(values[i], at: i) }
        default:
            for i in 0..<n where present[i] > 0 { count[i] += 1 }
        }
    }

    /// The group's value at step `i`, or nil when no member had one.
    func value(at i: Int) -> Double? {
        guard i >= 0, i < steps else { return nil }
        let n = count[i]
        guard n > 0 else { return nil }
        switch op {
        case .sum:
            return sum[i].isInfinite ? sum[i] : sum[i] + compensation[i]
        case .avg:
            if !sum[i].isInfinite || sawInfinity[i] != 0 {
                return sum[i].isInfinite ? sum[i] / n : (sum[i] + compensation[i]) / n
            }
            return mean[i]
        case .min, .max:
            return sum[i]
        case .count:
            return n
        default:
            return 1
        }
    }
}

/// The label set an aggregation groups a series under, cut from the encoded bytes.
///
/// `keeping` and `removing` on ``Labels`` decode every label into strings and re-encode; here
/// the kept labels' encoded bytes are copied as they are (a subset of a sorted, unique set is
/// sorted and unique), which gives the same bytes with one allocation and no strings.
struct GroupKeyCutter {
    private let names: [[UInt8]]
    private let keep: Bool

    init(_ grouping: Grouping) {
        switch grouping {
        case .by(let names):
            self.names = names.map { Array($0.utf8) }
            keep = true
        case .without(let names):
            self.names = (names + [Labels.metricNameKey]).map { Array($0.utf8) }
            keep = false
        }
    }

    func key(_ labels: Labels) -> Labels {
        var out: [UInt8] = []
        keyBytes(labels, into: &out)
        return Labels(uncheckedBytes: out)
    }

    /// The encoded bytes of ``key(_:)`` written into `out` (replacing its contents), so a
    /// caller that only compares keys allocates nothing.
    func keyBytes(_ labels: Labels, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        labels.bytes.withUnsafeBufferPointer { b in
            var i = 0
            let end = b.count
            while i < end {
                guard let (nameLength, a) = Self.readUVarint(b, at: i), a + nameLength <= end,
                      let (valueLength, v) = Self.readUVarint(b, at: a + nameLength), v + valueLength <= end else {
                    break
                }
                let name = UnsafeBufferPointer(rebasing: b[a..<(a + nameLength)])
                if listed(name) == keep {
                    if out.isEmpty { out.reserveCapacity(end - i) }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<(v + valueLength)]))
                }
                i = v + valueLength
            }
        }
    }

    private func listed(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        for n in names where n.count == name.count && n.elementsEqual(name) { return true }
        return false
    }

    private static func readUVarint(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int) -> (Int, Int)? {
        var result = 0
        var shift = 0
        var i = start
        while i < buffer.count, shift < 35 {
            let byte = buffer[i]
            result |= Int(byte & 0x7F) << shift
            i += 1
            if byte & 0x80 == 0 { return (result, i) }
            shift += 7
        }
        return nil
    }
}

/// A label set as a dictionary key hashed in one call over its bytes (`Labels`' own hashing
/// feeds the hasher one byte at a time).
struct LabelsKey: Hashable {
    let labels: Labels

    static func == (a: LabelsKey, b: LabelsKey) -> Bool { a.labels.bytes == b.labels.bytes }

    func hash(into hasher: inout Hasher) {
        labels.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
