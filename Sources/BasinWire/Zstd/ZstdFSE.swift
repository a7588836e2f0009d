/// One cell of a finite state entropy decoding table (RFC 8878 section 4.1.1): the symbol the
/// state stands for, and how the next state is found (`baseline` plus `nbBits` read bits).
struct ZstdFSEEntry {
    var symbol: UInt8
    var nbBits: UInt8
    var baseline: UInt16
}

/// Reading FSE table descriptions and building decoding tables from them.
enum ZstdFSE {
    /// A decoded table description: one normalized count per symbol (-1 for "less than one").
    struct Distribution {
        var counts: [Int16]
        var accuracyLog: Int
        /// Bytes the description took.
        var size: Int
    }

    /// Reads the table description at the start of `bytes`.
    ///
    /// - Parameters:
    ///   - maxAccuracyLog: the largest accuracy log allowed in this context.
    ///   - maxSymbol: the largest symbol value allowed in this context.
    ///   - what: names the table in error messages.
    static func readDistribution(
        _ bytes: UnsafeRawBufferPointer, maxAccuracyLog: Int, maxSymbol: Int, what: StaticString
    ) throws(ZstdError) -> Distribution {
        guard !bytes.isEmpty else { throw .corrupt("\(what) table description is truncated") }
        var reader = ZstdForwardBitReader(bytes)
        let accuracyLog = Int(reader.read(4)) + 5
        guard accuracyLog <= maxAccuracyLog else {
            throw .corrupt("\(what) table accuracy log \(accuracyLog) exceeds the maximum of \(maxAccuracyLog)")
        }
        var remaining = (1 << accuracyLog) + 1
        var threshold = 1 << accuracyLog
        var nbBits = accuracyLog + 1
        var counts: [Int16] = []
        counts.reserveCapacity(maxSymbol + 1)
        var previousWasZero = false
        while remaining > 1 {
            if previousWasZero {
                var zeros = 0
                while true {
                    let flag = Int(reader.read(2))
                    zeros += flag
                    if flag != 3 || reader.isOverflowed { break }
                }
                guard counts.count + zeros <= maxSymbol + 1 else {
                    throw .corrupt("\(what) table description has too many symbols")
                }
                counts.append(contentsOf: repeatElement(0, count: zeros))
            }
            guard counts.count <= maxSymbol, !reader.isOverflowed else {
                throw .corrupt("\(what) table description is invalid")
            }
            let max = 2 * threshold - 1 - remaining
            var value = Int(reader.peek(nbBits - 1))
            if value < max {
                reader.skip(nbBits - 1)
            } else {
                value = Int(reader.peek(nbBits))
                if value >= threshold { value -= max }
                reader.skip(nbBits)
            }
            let count = value - 1
            remaining -= abs(count)
            counts.append(Int16(count))
            previousWasZero = count == 0
            while remaining < threshold {
                nbBits -= 1
                threshold >>= 1
            }
        }
        guard remaining == 1, !reader.isOverflowed, reader.bytesConsumed <= bytes.count else {
            throw .corrupt("\(what) table description is invalid or truncated")
        }
        return Distribution(counts: counts, accuracyLog: accuracyLog, size: reader.bytesConsumed)
    }

    /// Spreads the symbols of a distribution over a table of `1 << accuracyLog` states.
    static func buildTable(_ counts: [Int16], accuracyLog: Int, what: StaticString) throws(ZstdError) -> [ZstdFSEEntry] {
        let size = 1 << accuracyLog
        let mask = size - 1
        var table = [ZstdFSEEntry](repeating: ZstdFSEEntry(symbol: 0, nbBits: 0, baseline: 0), count: size)
        var nextState = [Int](repeating: 0, count: counts.count)
        var total = 0
        for count in counts { total += count < 0 ? 1 : Int(count) }
        guard total == size, counts.count <= 256 else { throw .corrupt("\(what) table distribution is invalid") }
        var high = size - 1
        for (symbol, count) in counts.enumerated() where count == -1 {
            table[high].symbol = UInt8(truncatingIfNeeded: symbol)
            high -= 1
            nextState[symbol] = 1
        }
        let step = (size >> 1) + (size >> 3) + 3
        var position = 0
        for (symbol, count) in counts.enumerated() where count > 0 {
            for _ in 0..<Int(count) {
                table[position].symbol = UInt8(truncatingIfNeeded: symbol)
                repeat { position = (position + step) & mask } while position > high
            }
            nextState[symbol] = Int(count)
        }
        guard position == 0 else { throw .corrupt("\(what) table distribution is invalid") }
        for state in 0..<size {
            let symbol = Int(table[state].symbol)
            let next = nextState[symbol]
            nextState[symbol] = next + 1
            let nbBits = accuracyLog - (Int.bitWidth - 1 - next.leadingZeroBitCount)
            table[state].nbBits = UInt8(truncatingIfNeeded: nbBits)
            table[state].baseline = UInt16(truncatingIfNeeded: (next << nbBits) - size)
        }
        return table
    }
}
