/// Appends a big-endian bit stream (most significant bit first) to a byte array.
///
/// The writer takes over the caller's array for its lifetime (``init(appendingTo:)`` moves it
/// in, ``finish(into:)`` moves it back), so a chunk is written straight into the block's
/// buffer without an intermediate allocation. Whole bytes are appended as soon as they are
/// complete; at most 7 bits wait in ``pending`` between writes.
struct BitWriter: ~Copyable {
    private var bytes: [UInt8]
    /// Pending bits, right-aligned: the low `pendingCount` bits are the next ones out.
    private var pending: UInt64 = 0
    private var pendingCount = 0

    /// Starts writing at the end of `out`, which is left empty until ``finish(into:)``.
    init(appendingTo out: inout [UInt8]) {
        bytes = []
        swap(&bytes, &out)
    }

    /// Number of bytes written so far, counting a partial last byte as a whole one.
    var byteCount: Int { bytes.count + (pendingCount > 0 ? 1 : 0) }

    /// Writes the low `bitCount` bits of `value`, most significant first.
    ///
    /// - Parameters:
    ///   - value: bits above `bitCount` are ignored.
    ///   - bitCount: 0...64.
    @inline(__always)
    mutating func write(_ value: UInt64, bitCount: Int) {
        if bitCount > 56 {
            // pending (≤ 7 bits) plus the new bits must fit in 64: split long writes.
            writeShort(value &>> 32, bitCount: bitCount - 32)
            writeShort(value & 0xFFFF_FFFF, bitCount: 32)
        } else {
            writeShort(value, bitCount: bitCount)
        }
    }

    /// Writes one bit.
    @inline(__always)
    mutating func write(bit: Bool) {
        writeShort(bit ? 1 : 0, bitCount: 1)
    }

    /// Writes `value` in `bitCount` bits, `bitCount` in 0...56.
    @inline(__always)
    private mutating func writeShort(_ value: UInt64, bitCount: Int) {
        let mask = (1 as UInt64 &<< UInt64(bitCount)) &- 1
        pending = (pending &<< UInt64(bitCount)) | (value & mask)
        pendingCount += bitCount
        while pendingCount >= 8 {
            pendingCount -= 8
            bytes.append(UInt8(truncatingIfNeeded: pending &>> UInt64(pendingCount)))
        }
    }

    /// Writes an unsigned LEB128 varint; the stream must be at a byte boundary.
    mutating func writeUVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            writeShort((v & 0x7F) | 0x80, bitCount: 8)
            v &>>= 7
        }
        writeShort(v, bitCount: 8)
    }

    /// Writes a zigzag-encoded signed varint; the stream must be at a byte boundary.
    mutating func writeZVarint(_ value: Int64) {
        writeUVarint(Zigzag.encode(value))
    }

    /// Writes one whole byte.
    mutating func writeByte(_ byte: UInt8) {
        writeShort(UInt64(byte), bitCount: 8)
    }

    /// Pads the last byte with zero bits so the next write starts on a byte boundary.
    mutating func alignToByte() {
        if pendingCount > 0 {
            writeShort(0, bitCount: 8 - pendingCount)
        }
    }

    /// Pads to a byte boundary and hands the bytes back to `out`.
    consuming func finish(into out: inout [UInt8]) {
        alignToByte()
        swap(&bytes, &out)
    }
}

/// Zigzag mapping of signed to unsigned integers (0, -1, 1, -2 ... to 0, 1, 2, 3 ...), so
/// small magnitudes of either sign get short encodings.
enum Zigzag {
    @inline(__always)
    static func encode(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v &<< 1) ^ (v &>> 63))
    }

    @inline(__always)
    static func decode(_ z: UInt64) -> Int64 {
        Int64(bitPattern: (z &>> 1) ^ (0 &- (z & 1)))
    }

    /// Number of significant bits of `z` (0 for 0).
    @inline(__always)
    static func bitLength(_ z: UInt64) -> Int {
        64 - z.leadingZeroBitCount
    }
}
