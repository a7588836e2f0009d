/// Reads a Zstandard backward bitstream (RFC 8878 section 4.1.2): written forward, read from
/// the last byte towards the first. The highest set bit of the last byte marks where the data
/// starts; the bits read first are the most significant ones below it.
///
/// A 64-bit container holds the 8 bytes at `offset`; `bitsConsumed` counts bits taken from its
/// top. After ``reload()`` either fewer than 8 bits of the container are consumed or the
/// container sits at the start of the stream, so up to 56 bits may be read between reloads.
/// Reading past the start yields zero bits and is detected by ``isOverflowed`` and
/// ``isFinished``: it never touches memory outside the stream.
struct ZstdBackwardBitReader {
    private let start: UnsafeRawPointer
    private var offset: Int
    private var container: UInt64
    private(set) var bitsConsumed: Int

    /// Starts at the end of `bytes`, which must be non-empty and end in a non-zero byte.
    init(_ bytes: UnsafeRawBufferPointer, what: StaticString) throws(ZstdError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw .corrupt("\(what) bitstream is empty")
        }
        let last = bytes[bytes.count - 1]
        guard last != 0 else { throw .corrupt("\(what) bitstream has no end marker") }
        start = base
        let skip = last.leadingZeroBitCount + 1
        if bytes.count >= 8 {
            offset = bytes.count - 8
            container = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            bitsConsumed = skip
        } else {
            offset = 0
            var value: UInt64 = 0
            for i in 0..<bytes.count { value |= UInt64(bytes[i]) << (8 * UInt64(i)) }
            container = value
            bitsConsumed = skip + 8 * (8 - bytes.count)
        }
    }

    /// The next `count` bits (0...56) without consuming them.
    @inline(__always)
    func peek(_ count: Int) -> UInt64 {
        ((container &<< UInt64(bitsConsumed & 63)) &>> 1) &>> UInt64(63 - count)
    }

    /// Consumes `count` bits (0...56) and returns them.
    @inline(__always)
    mutating func read(_ count: Int) -> UInt64 {
        let value = peek(count)
        bitsConsumed &+= count
        return value
    }

    /// Consumes `count` bits already peeked.
    @inline(__always)
    mutating func skip(_ count: Int) {
        bitsConsumed &+= count
    }

    /// Refills the container from earlier bytes of the stream.
    @inline(__always)
    mutating func reload() {
        if bitsConsumed > 64 { return }
        if offset >= 8 {
            offset &-= bitsConsumed &>> 3
            bitsConsumed &= 7
        } else if offset > 0 {
            let bytes = min(bitsConsumed &>> 3, offset)
            offset &-= bytes
            bitsConsumed &-= bytes &* 8
        } else {
            return
        }
        container = UInt64(littleEndian: start.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Whether more bits were read than the stream holds.
    var isOverflowed: Bool { offset == 0 && bitsConsumed > 64 }

    /// Whether every bit of the stream was read, and no more.
    var isFinished: Bool { offset == 0 && bitsConsumed == 64 }
}

/// Reads bits forward, least significant first (FSE table descriptions, RFC 8878 section 4.1.1).
struct ZstdForwardBitReader {
    private let bytes: UnsafeRawBufferPointer
    /// Bits consumed from the start of `bytes`.
    private(set) var bitPosition = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Whole bytes touched so far.
    var bytesConsumed: Int { (bitPosition + 7) >> 3 }

    /// The next `count` bits (0...24); bits past the end read as zero.
    func peek(_ count: Int) -> UInt32 {
        var value: UInt32 = 0
        let first = bitPosition >> 3
        for i in 0..<4 where first + i < bytes.count {
            value |= UInt32(bytes[first + i]) << (8 * UInt32(i))
        }
        return (value >> UInt32(bitPosition & 7)) & ((1 << UInt32(count)) - 1)
    }

    mutating func skip(_ count: Int) {
        bitPosition += count
    }

    mutating func read(_ count: Int) -> UInt32 {
        let value = peek(count)
        bitPosition += count
        return value
    }

    /// Whether more bits were consumed than `bytes` holds.
    var isOverflowed: Bool { bitPosition > bytes.count * 8 }
}
