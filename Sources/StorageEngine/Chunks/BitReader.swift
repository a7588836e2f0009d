/// Reads a big-endian bit stream (most significant bit first) from borrowed bytes.
///
/// Malformed input never traps: a read past the end returns zero bits and sets
/// ``overran``, which the caller checks once after a loop whose trip count it already bounded
/// (checking a flag per loop instead of an optional per read keeps the hot path branch-light).
/// The bytes must stay valid while the reader is used.
struct BitReader {
    private let bytes: UnsafeRawBufferPointer
    /// Next byte not yet loaded into ``buffer``.
    private var nextByte: Int
    /// Loaded bits, left-aligned: the top `available` bits are the next ones to read. Bits
    /// below them may already hold (correct) bits of the next byte.
    private var buffer: UInt64 = 0
    private var available = 0
    /// Whether a read asked for more bits than the stream holds.
    private(set) var overran = false

    /// Reads `bytes` from byte `offset` on.
    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.nextByte = min(max(offset, 0), bytes.count)
    }

    /// Byte offset just after the last bit read, rounding a partly read byte up.
    var byteOffset: Int { nextByte - available / 8 }

    /// Bits not yet read.
    var remainingBits: Int { available + (bytes.count - nextByte) * 8 }

    /// Loads whole bytes until at least 57 bits are available or the bytes end.
    @inline(__always)
    private mutating func refill() {
        if nextByte &+ 8 <= bytes.count {
            // One unaligned load; the partial byte it ORs in below the taken bytes is loaded
            // again, identical, by the next refill.
            let word = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: nextByte, as: UInt64.self))
            buffer |= word &>> UInt64(available)
            let taken = (63 &- available) &>> 3
            nextByte &+= taken
            available &+= taken &<< 3
        } else {
            while available <= 56, nextByte < bytes.count {
                buffer |= UInt64(bytes[nextByte]) &<< UInt64(56 &- available)
                nextByte &+= 1
                available &+= 8
            }
        }
    }

    /// Reads `count` bits (0...64) as the low bits of the result; zero past the end.
    @inline(__always)
    mutating func read(_ count: Int) -> UInt64 {
        if count > available {
            refill()
            if count > available { return readSplit(count) }
        }
        if count == 0 { return 0 }
        let value = buffer &>> UInt64(64 &- count)
        buffer = count == 64 ? 0 : buffer &<< UInt64(count)
        available &-= count
        return value
    }

    /// Reads one bit.
    @inline(__always)
    mutating func readBit() -> Bool {
        if available == 0 {
            refill()
            if available == 0 {
                overran = true
                return false
            }
        }
        let bit = buffer &>> 63
        buffer &<<= 1
        available &-= 1
        return bit == 1
    }

    /// A read longer than the loaded bits: either a long read (57...64 bits) split in two, or
    /// a read past the end.
    private mutating func readSplit(_ count: Int) -> UInt64 {
        if count > 32, remainingBits >= count {
            let high = read(count - 32)
            return (high &<< 32) | read(32)
        }
        overran = true
        available = 0
        buffer = 0
        nextByte = bytes.count
        return 0
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
