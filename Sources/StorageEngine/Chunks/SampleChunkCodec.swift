/// A public door to the internal ``SampleChunk`` codec for the benchmark package, which is a
/// separate SwiftPM package and so sees neither internal nor `package` declarations.
///
/// Not an API for anything else: the block writer and reader call ``SampleChunk`` directly.
public enum SampleChunkCodec {
    /// Appends one chunk holding these samples to `out`.
    ///
    /// - Precondition: equal counts in 1...65535 and strictly increasing timestamps.
    public static func encode(
        timestampsMillis: UnsafeBufferPointer<Int64>,
        values: UnsafeBufferPointer<Double>,
        into out: inout [UInt8]
    ) {
        SampleChunk.encode(timestampsMillis: timestampsMillis, values: values, into: &out)
    }

    /// Appends the chunk's samples within `startMillis...endMillis` to `timestamps` and
    /// `values`.
    ///
    /// - Parameter bytes: borrowed for the duration of the call only.
    /// - Returns: false if the bytes are not a well-formed chunk (nothing is appended then).
    @discardableResult
    public static func decode(
        _ bytes: UnsafeRawBufferPointer,
        startMillis: Int64,
        endMillis: Int64,
        timestamps: inout [Int64],
        values: inout [Double]
    ) -> Bool {
        do {
            try SampleChunk.decode(bytes, startMillis: startMillis, endMillis: endMillis, timestamps: &timestamps, values: &values)
            return true
        } catch {
            return false
        }
    }
}
