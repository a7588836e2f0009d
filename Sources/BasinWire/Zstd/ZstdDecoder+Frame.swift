import BasinModel

extension ZstdDecoder {
    /// Decodes the frame whose magic number is at `start`; returns where the next frame starts.
    static func decodeFrame(
        _ input: UnsafeRawBufferPointer, at start: Int, output: inout ZstdOutputBuffer, workspace: inout ZstdWorkspace?
    ) throws(ZstdError) -> Int {
        let header = try ZstdFrameHeader(
            input, at: start, maxContentBytes: output.limit - output.count, limit: output.limit)
        let frameStart = output.count
        if let contentSize = header.contentSize {
            // Trust a declared size only as far as the input could plausibly expand; past that
            // the output grows as blocks actually produce it.
            let plausible = max(1 << 20, min(input.count - start, Int.max / 32) * 32)
            output.reserve(frameStart + min(contentSize, plausible))
        }
        workspace?.startFrame()
        let blockMaxSize = min(header.windowSize, ZstdWorkspace.maxBlockSize)
        var position = start + header.size
        var isLast = false
        while !isLast {
            guard input.count - position >= 3 else { throw .corrupt("block header at byte \(position) is truncated") }
            let bounds = ZstdWriteBounds(
                frameStart: frameStart, blockEnd: output.count + blockMaxSize,
                contentEnd: header.contentSize.map { frameStart + $0 }, limit: output.limit)
            (isLast, position) = try decodeBlock(
                input, at: position, maxSize: blockMaxSize, bounds: bounds, output: &output, workspace: &workspace)
        }
        let produced = output.count - frameStart
        if let declared = header.contentSize, produced != declared {
            throw .corrupt("zstd frame at byte \(start) has \(produced) bytes of content, but its header declares \(declared)")
        }
        if header.hasChecksum {
            guard input.count - position >= 4 else { throw .corrupt("content checksum at byte \(position) is truncated") }
            let expected = readUInt32(input, at: position)
            let content = UnsafeRawBufferPointer(start: output.base + frameStart, count: produced)
            guard UInt32(truncatingIfNeeded: XXH64.hash(content)) == expected else {
                throw .corrupt("content checksum mismatch in zstd frame at byte \(start)")
            }
            position += 4
        }
        return position
    }

    /// Decodes the block whose 3-byte header is at `start` (RFC 8878 section 3.1.1.2).
    /// - Returns: whether it was the frame's last block, and where the next one starts.
    private static func decodeBlock(
        _ input: UnsafeRawBufferPointer, at start: Int, maxSize: Int, bounds: ZstdWriteBounds,
        output: inout ZstdOutputBuffer, workspace: inout ZstdWorkspace?
    ) throws(ZstdError) -> (isLast: Bool, next: Int) {
        let blockHeader = Int(input[start]) | Int(input[start + 1]) << 8 | Int(input[start + 2]) << 16
        let position = start + 3
        let type = (blockHeader >> 1) & 3
        let size = blockHeader >> 3
        guard size <= maxSize else {
            throw .corrupt("block at byte \(start) has \(size) bytes, over the maximum of \(maxSize)")
        }
        let inputSize = type == 1 ? 1 : size
        guard input.count - position >= inputSize else { throw .corrupt("block at byte \(start) is truncated") }
        switch type {
        case 0, 1:
            let end = output.count + size
            guard end <= bounds.writeLimit else { throw bounds.error(writingTo: end) }
            output.reserve(end)
            if type == 0, let source = input.baseAddress {
                (output.base + output.count).update(
                    from: source.advanced(by: position).assumingMemoryBound(to: UInt8.self), count: size)
            } else if type == 1 {
                (output.base + output.count).update(repeating: input[position], count: size)
            }
            output.count = end
        case 2:
            output.reserve(bounds.writeLimit)
            let active: ZstdWorkspace
            if let workspace {
                active = workspace
            } else {
                active = ZstdWorkspace()
                workspace = active
            }
            do {
                try active.decodeCompressedBlock(
                    UnsafeRawBufferPointer(rebasing: input[position..<(position + size)]), output: &output, bounds: bounds)
            } catch where error.kind == .badRequest {
                throw .corrupt("compressed block at byte \(start): \(error.message)")
            }
        default:
            throw .corrupt("block at byte \(start) has the reserved block type")
        }
        return (blockHeader & 1 != 0, position + inputSize)
    }
}
