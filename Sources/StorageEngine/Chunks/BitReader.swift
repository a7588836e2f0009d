/// Reads a big-endian bit stream (most significant bit first) from borrowed bytes.
///
/// Malformed input never traps: past the end the stream reads as zero bits, and
/// ``overran`` tells whether any were read. The caller checks it once after a loop whose trip
/// count it already bounded (checking a flag per loop instead of an optional per read keeps
/// the hot path branch-light). The bytes must stay valid while the reader is used.
///
/// Every method is inlined and none passes the reader to an out-of-line call, so a decode
/// loop keeps its position and buffer in registers.
struct BitReader {
    private let bytes: UnsafeRawBufferPointer
    /// Next byte not yet loaded into ``buffer``; past `bytes.count` once the zero bits beyond
    /// the end have been loaded.
    private var nextByte: Int
    /// Loaded bits, left-aligned: the top `available` bits are the next ones to read. Bits
    /// below them may already hold (correct) bits of the next byte.
    private var buffer: UInt64 = 0
    private var available = 0

    /// Reads `bytes` from byte `offset` on.
    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.nextByte = min(max(offset, 0), bytes.count)
    }

    /// Byte offset just after the last bit read, rounding a partly read byte up.
    var byteOffset: Int { nextByte - available / 8 }

    /// Bits not yet read (negative once reads ran past the end).
    var remainingBits: Int { available + (bytes.count - nextByte) * 8 }

    /// Whether a read asked for more bits than the stream holds.
    var overran: Bool { remainingBits < 0 }

    /// Loads whole bytes until at least 57 bits are available; past the end they are zeros.
    @inline(__always)
    private mutating func refill() {
        // One unaligned load; the partial byte it ORs in below the taken bytes is loaded
        // again, identical, by the next refill.
        let word =
            nextByte &+ 8 <= bytes.count
            ? UInt64(bigEndian: bytes.baseAddress.unsafelyUnwrapped.loadUnaligned(fromByteOffset: nextByte, as: UInt64.self))
            : Self.tailWord(bytes, from: nextByte)
        buffer |= word &>> UInt64(truncatingIfNeeded: available)
        let taken = (63 &- available) &>> 3
        nextByte &+= taken
        available &+= taken &<< 3
    }

    /// The (fewer than 8) bytes from `offset` to the end, left-aligned, zeros after them.
    @inline(__always)
    private static func tailWord(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> UInt64 {
        var word: UInt64 = 0
        var i = offset
        var shift: UInt64 = 56
        while i < bytes.count {
            word |= UInt64(bytes[i]) &<< shift
            i &+= 1
            shift &-= 8
        }
        return word
    }

    /// Reads `count` bits (0...64) as the low bits of the result; zero bits past the end.
    @inline(__always)
    mutating func read(_ count: Int) -> UInt64 {
        if count > available {
            refill()
            // Only 58...64 bits can still be short of a refilled buffer.
            if count > available { return readLong(count) }
        }
        if count == 0 { return 0 }
        let value = buffer &>> UInt64(truncatingIfNeeded: 64 &- count)
        buffer = (buffer &<< UInt64(truncatingIfNeeded: count &- 1)) &<< 1
        available &-= count
        return value
    }

    /// Reads 58...64 bits in two parts, with a refill between them.
    @inline(__always)
    private mutating func readLong(_ count: Int) -> UInt64 {
        let high = buffer &>> 32
        buffer &<<= 32
        available &-= 32
        refill()
        let rest = count &- 32  // 26...32
        let low = buffer &>> UInt64(truncatingIfNeeded: 64 &- rest)
        buffer &<<= UInt64(truncatingIfNeeded: rest)
        available &-= rest
        return (high &<< UInt64(truncatingIfNeeded: rest)) | low
    }

    /// Reads one bit.
    @inline(__always)
    mutating func readBit() -> Bool {
        if available == 0 { refill() }
        let bit = buffer &>> 63
        buffer &<<= 1
        available &-= 1
        return bit == 1
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes at a byte boundary; nil if it is
    /// longer, overflows 64 bits or runs past the end.
    mutating func readUVarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 64 {
            guard remainingBits >= 8 else { return nil }
            let byte = read(8)
            if shift == 63, byte > 1 { return nil }
            result |= (byte & 0x7F) &<< shift
            if byte < 0x80 { return result }
            shift += 7
        }
        return nil
    }

    /// Reads a zigzag-encoded signed varint.
    mutating func readZVarint() -> Int64? {
        readUVarint().map(Zigzag.decode)
    }

    /// Reads one whole byte; nil past the end.
    mutating func readByte() -> UInt8? {
        guard remainingBits >= 8 else { return nil }
        return UInt8(truncatingIfNeeded: read(8))
    }

    /// Skips to the next byte boundary.
    mutating func alignToByte() {
        let partial = available & 7
        if partial != 0 { _ = read(partial) }
    }
}
