/// The decoding table a field currently uses, kept across the blocks of a frame for
/// `Repeat_Mode`. Storage is allocated once per decompression, sized for the largest table.
struct ZstdSequenceTableSlot {
    let entries: UnsafeMutablePointer<ZstdSequenceEntry>
    var accuracyLog = 0
    var isDefined = false

    init(maxAccuracyLog: Int) {
        entries = .allocate(capacity: 1 << maxAccuracyLog)
    }

    func deallocate() {
        entries.deallocate()
    }

    /// Reads this field's table from `bytes` according to `mode`; returns the bytes consumed.
    mutating func update(
        mode: Int, field: ZstdSequenceField, from bytes: UnsafeRawBufferPointer
    ) throws(ZstdError) -> Int {
        switch mode {
        case 0:
            let table = ZstdSequenceField.predefinedTables[field.index]
            store(table, accuracyLog: field.predefined.accuracyLog)
            return 0
        case 1:
            guard let symbol = bytes.first else { throw .corrupt("\(field.name) RLE symbol is missing") }
            guard Int(symbol) <= field.maxSymbol else {
                throw .corrupt("\(field.name) RLE symbol \(symbol) is out of range")
            }
            store([field.entry(ZstdFSEEntry(symbol: symbol, nbBits: 0, baseline: 0))], accuracyLog: 0)
            return 1
        case 2:
            let distribution = try ZstdFSE.readDistribution(
                bytes, maxAccuracyLog: field.maxAccuracyLog, maxSymbol: field.maxSymbol, what: field.name)
            let cells = try ZstdFSE.buildTable(distribution.counts, accuracyLog: distribution.accuracyLog, what: field.name)
            store(cells.map { field.entry($0) }, accuracyLog: distribution.accuracyLog)
            return distribution.size
        default:
            guard isDefined else { throw .corrupt("\(field.name) repeat mode without a previous table") }
            return 0
        }
    }

    private mutating func store(_ table: [ZstdSequenceEntry], accuracyLog: Int) {
        table.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            entries.update(from: base, count: source.count)
        }
        self.accuracyLog = accuracyLog
        isDefined = true
    }
}
