// libFuzzer target: the pure-Swift zstd decoder of BasinWire (request bodies with
// `Content-Encoding: zstd`).
//
// Each input is decompressed with a 1 MiB output limit and again with a tiny one (64 bytes),
// so both the normal path and the limit check run. A result larger than the limit is a bug.
import BasinWire

let limits = [1 << 20, 64]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    for limit in limits {
        if let out = try? ZstdDecoder.decompress(input, maxOutputBytes: limit) {
            precondition(out.count <= limit, "zstd output of \(out.count) bytes over the \(limit)-byte limit")
        }
    }
    return 0
}
