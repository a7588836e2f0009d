import BasinTestKit
import BasinWire

/// Runs `body` with a scanner over the UTF-8 of `text` (or raw bytes).
func scan<R>(_ bytes: [UInt8], nonFinite: Bool = false, maxDepth: Int = 64, _ body: (inout JSONScanner) throws(WireError) -> R) -> Result<R, WireError> {
    bytes.withUnsafeBytes { raw in
        var scanner = JSONScanner(bytes: raw, maxDepth: maxDepth, allowsNonFiniteLiterals: nonFinite)
        do throws(WireError) {
            return .success(try body(&scanner))
        } catch {
            return .failure(error)
        }
    }
}

func scan<R>(_ text: String, nonFinite: Bool = false, maxDepth: Int = 64, _ body: (inout JSONScanner) throws(WireError) -> R) -> Result<R, WireError> {
    scan(Array(text.utf8), nonFinite: nonFinite, maxDepth: maxDepth, body)
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var value: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
