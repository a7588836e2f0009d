/// The three symbol streams of a sequences section (RFC 8878 section 3.1.1.3.2).
enum ZstdSequenceField: CaseIterable {
    case literalLength, offset, matchLength

    var name: StaticString {
        switch self {
        case .literalLength: "literal lengths"
        case .offset: "offsets"
        case .matchLength: "match lengths"
        }
    }

    var maxAccuracyLog: Int {
        switch self {
        case .literalLength, .matchLength: 9
        case .offset: 8
        }
    }

    var maxSymbol: Int {
        switch self {
        case .literalLength: 35
        case .offset: 31
        case .matchLength: 52
        }
    }

    /// What code `symbol` means: a base value and how many extra bits are added to it.
    func meaning(of symbol: Int) -> (base: UInt32, extraBits: UInt8) {
        switch self {
        case .literalLength:
            if symbol < 16 { return (UInt32(symbol), 0) }
            let entry = Self.literalLengthCodes[symbol - 16]
            return (entry.0, entry.1)
        case .matchLength:
            if symbol < 32 { return (UInt32(symbol + 3), 0) }
            let entry = Self.matchLengthCodes[symbol - 32]
            return (entry.0, entry.1)
        case .offset:
            return (UInt32(1) << UInt32(symbol), UInt8(symbol))
        }
    }

    /// The default distribution (RFC 8878 section 3.1.1.3.2.2).
    var predefined: (counts: [Int16], accuracyLog: Int) {
        switch self {
        case .literalLength:
            ([4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1,
              -1, -1, -1, -1], 6)
        case .matchLength:
            ([1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
              1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1], 6)
        case .offset:
            ([1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1], 5)
        }
    }

    /// Literal length codes 16...35: base value and extra bits.
    private static let literalLengthCodes: [(UInt32, UInt8)] = [
        (16, 1), (18, 1), (20, 1), (22, 1), (24, 2), (28, 2), (32, 3), (40, 3), (48, 4), (64, 6),
        (128, 7), (256, 8), (512, 9), (1024, 10), (2048, 11), (4096, 12), (8192, 13), (16384, 14),
        (32768, 15), (65536, 16),
    ]

    /// Match length codes 32...52: base value and extra bits.
    private static let matchLengthCodes: [(UInt32, UInt8)] = [
        (35, 1), (37, 1), (39, 1), (41, 1), (43, 2), (47, 2), (51, 3), (59, 3), (67, 4), (83, 4),
        (99, 5), (131, 7), (259, 8), (515, 9), (1027, 10), (2051, 11), (4099, 12), (8195, 13),
        (16387, 14), (32771, 15), (65539, 16),
    ]

    /// The predefined tables, built once.
    static let predefinedTables: [[ZstdSequenceEntry]] = allCases.map { field in
        let (counts, accuracyLog) = field.predefined
        // The predefined distributions are valid, so building them cannot fail.
        let table = (try? ZstdFSE.buildTable(counts, accuracyLog: accuracyLog, what: field.name)) ?? []
        return table.map { field.entry($0) }
    }

    func entry(_ cell: ZstdFSEEntry) -> ZstdSequenceEntry {
        let (base, extraBits) = meaning(of: Int(cell.symbol))
        return ZstdSequenceEntry(baseValue: base, baseline: cell.baseline, nbBits: cell.nbBits, extraBits: extraBits)
    }

    var index: Int {
        switch self {
        case .literalLength: 0
        case .offset: 1
        case .matchLength: 2
        }
    }
}
