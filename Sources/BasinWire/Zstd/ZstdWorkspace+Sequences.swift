extension ZstdWorkspace {
    /// Decodes a compressed block (RFC 8878 section 3.1.1.3) onto the end of `output`, which
    /// has room up to `bounds.writeLimit`.
    func decodeCompressedBlock(
        _ block: UnsafeRawBufferPointer, output: inout ZstdOutputBuffer, bounds: ZstdWriteBounds
    ) throws(ZstdError) {
        let (literalCount, literalsSize) = try decodeLiterals(block, maxCount: bounds.blockEnd - output.count)
        let section = UnsafeRawBufferPointer(rebasing: block[literalsSize...])
        guard let first = section.first else { throw .corrupt("sequences section is missing") }
        var position: Int
        let sequenceCount: Int
        if first < 128 {
            sequenceCount = Int(first)
            position = 1
        } else if first < 255 {
            guard section.count >= 2 else { throw .corrupt("sequences section header is truncated") }
            sequenceCount = (Int(first) - 128) << 8 + Int(section[1])
            position = 2
        } else {
            guard section.count >= 3 else { throw .corrupt("sequences section header is truncated") }
            sequenceCount = Int(section[1]) + Int(section[2]) << 8 + 0x7F00
            position = 3
        }
        if sequenceCount == 0 {
            guard position == section.count else { throw .corrupt("block has bytes after an empty sequences section") }
            try appendLiterals(from: 0, to: literalCount, output: &output, bounds: bounds)
            return
        }
        guard position < section.count else { throw .corrupt("sequences section header is truncated") }
        let modes = section[position]
        position += 1
        guard modes & 3 == 0 else { throw .corrupt("sequences section uses reserved compression mode bits") }
        for field in ZstdSequenceField.allCases {
            let mode = Int(modes >> UInt8(6 - 2 * field.index)) & 3
            position += try tables[field.index].update(
                mode: mode, field: field, from: UnsafeRawBufferPointer(rebasing: section[position...]))
        }
        let stream = UnsafeRawBufferPointer(rebasing: section[position...])
        let consumed = try executeSequences(
            stream, count: sequenceCount, literalCount: literalCount, output: &output, bounds: bounds)
        try appendLiterals(from: consumed, to: literalCount, output: &output, bounds: bounds)
    }

    /// Copies the literals `from..<to` to the end of the output.
    private func appendLiterals(
        from start: Int, to end: Int, output: inout ZstdOutputBuffer, bounds: ZstdWriteBounds
    ) throws(ZstdError) {
        let count = end - start
        guard output.count + count <= bounds.writeLimit else { throw bounds.error(writingTo: output.count + count) }
        (output.base + output.count).update(from: literals + start, count: count)
        output.count += count
    }

    /// Decodes and executes `count` sequences; returns how many literals they used.
    private func executeSequences(
        _ stream: UnsafeRawBufferPointer, count: Int, literalCount: Int,
        output: inout ZstdOutputBuffer, bounds: ZstdWriteBounds
    ) throws(ZstdError) -> Int {
        var reader = try ZstdBackwardBitReader(stream, what: "sequences")
        let llTable = tables[0].entries
        let ofTable = tables[1].entries
        let mlTable = tables[2].entries
        var llState = Int(reader.read(tables[0].accuracyLog))
        var ofState = Int(reader.read(tables[1].accuracyLog))
        var mlState = Int(reader.read(tables[2].accuracyLog))
        reader.reload()
        let dst = output.base
        var op = output.count
        let writeLimit = bounds.writeLimit
        let frameStart = bounds.frameStart
        var literal = 0
        var repeats = repeatOffsets
        for index in 0..<count {
            let llEntry = llTable[llState]
            let mlEntry = mlTable[mlState]
            let ofEntry = ofTable[ofState]
            let offsetBits = Int(ofEntry.extraBits)
            let matchBits = Int(mlEntry.extraBits)
            let literalBits = Int(llEntry.extraBits)
            let offsetValue = Int(ofEntry.baseValue) &+ Int(truncatingIfNeeded: reader.read(offsetBits))
            let matchLength = Int(mlEntry.baseValue) &+ Int(truncatingIfNeeded: reader.read(matchBits))
            if offsetBits &+ matchBits &+ literalBits > 30 { reader.reload() }
            let literalLength = Int(llEntry.baseValue) &+ Int(truncatingIfNeeded: reader.read(literalBits))
            if index &+ 1 < count {
                llState = Int(llEntry.baseline) &+ Int(truncatingIfNeeded: reader.read(Int(llEntry.nbBits)))
                mlState = Int(mlEntry.baseline) &+ Int(truncatingIfNeeded: reader.read(Int(mlEntry.nbBits)))
                ofState = Int(ofEntry.baseline) &+ Int(truncatingIfNeeded: reader.read(Int(ofEntry.nbBits)))
                reader.reload()
            }

            let offset = try Self.resolveOffset(offsetValue, literalLength: literalLength, repeats: &repeats)
            guard literalLength <= literalCount &- literal else {
                throw .corrupt("sequences use more literals than the block has")
            }
            let end = op &+ literalLength &+ matchLength
            guard end <= writeLimit else { throw bounds.error(writingTo: end) }
            Self.wildCopy(dst + op, from: literals + literal, count: literalLength)
            op &+= literalLength
            literal &+= literalLength
            guard offset <= op &- frameStart else {
                throw .corrupt("match offset \(offset) reaches before the start of the frame")
            }
            Self.copyMatch(dst + op, offset: offset, count: matchLength)
            op = end
        }
        reader.reload()
        guard reader.isFinished else { throw .corrupt("sequences bitstream is corrupt") }
        output.count = op
        repeatOffsets = repeats
        return literal
    }

    /// The offset an `Offset_Value` stands for, updating the repeat offsets (RFC 8878 section
    /// 3.1.2.5): values 1...3 name a repeat offset (shifted by one when there are no literals).
    @inline(__always)
    private static func resolveOffset(
        _ value: Int, literalLength: Int, repeats: inout (Int, Int, Int)
    ) throws(ZstdError) -> Int {
        if value > 3 {
            let offset = value &- 3
            repeats = (offset, repeats.0, repeats.1)
            return offset
        }
        switch value &- (literalLength == 0 ? 0 : 1) {
        case 0:
            return repeats.0
        case 1:
            repeats = (repeats.1, repeats.0, repeats.2)
            return repeats.0
        case 2:
            repeats = (repeats.2, repeats.0, repeats.1)
            return repeats.0
        default:
            let offset = repeats.0 &- 1
            guard offset > 0 else { throw .corrupt("repeat offset is zero") }
            repeats = (offset, repeats.0, repeats.1)
            return offset
        }
    }

    /// Copies `count` bytes 16 at a time, writing (and reading) up to 15 bytes too many.
    @inline(__always)
    private static func wildCopy(_ dst: UnsafeMutablePointer<UInt8>, from src: UnsafePointer<UInt8>, count: Int) {
        let d = UnsafeMutableRawPointer(dst)
        let s = UnsafeRawPointer(src)
        var i = 0
        repeat {
            let a = s.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let b = s.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self)
            d.storeBytes(of: a, toByteOffset: i, as: UInt64.self)
            d.storeBytes(of: b, toByteOffset: i &+ 8, as: UInt64.self)
            i &+= 16
        } while i < count
    }

    /// Copies a match of `count` bytes from `offset` bytes back; may write up to 15 bytes past it.
    @inline(__always)
    private static func copyMatch(_ dst: UnsafeMutablePointer<UInt8>, offset: Int, count: Int) {
        let src = dst - offset
        if offset >= 16 {
            wildCopy(dst, from: src, count: count)
        } else if offset >= 8 {
            let d = UnsafeMutableRawPointer(dst)
            let s = UnsafeRawPointer(src)
            var i = 0
            repeat {
                d.storeBytes(of: s.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
                i &+= 8
            } while i < count
        } else if offset == 1 {
            dst.update(repeating: src.pointee, count: count)
        } else {
            for i in 0..<count { dst[i] = src[i] }
        }
    }
}
