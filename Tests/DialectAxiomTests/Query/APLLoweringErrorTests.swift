import BasinModel
import Testing
@testable import DialectAxiom

/// Syntax errors and constructs outside the subset: a `badRequest` naming the construct and
/// where it is.
@Suite struct APLLoweringErrorTests {
    @Test("errors name the construct and its line:column", arguments: cases)
    func error(apl: String, message: String, line: Int, column: Int) {
        let error = #expect(throws: APLError.self) { _ = try lowerAPL(apl) }
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.message.hasSuffix("at \(line):\(column)") == true, "\(String(describing: error))")
        #expect(error?.line == line)
        #expect(error?.column == column)
        #expect(error?.kind == .badRequest)
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        for (open, close) in [("(", ")"), ("not(", ")"), ("-", ""), ("[", "]")] {
            let depth = 500
            var inner = String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth)
            if open == "[" { inner = "dynamic(\(inner))" }
            let apl = "logs | where " + inner
            let error = #expect(throws: APLError.self) { _ = try lowerAPL(apl) }
            #expect(error?.message.contains("nested too deeply") == true, "\(String(describing: error))")
        }
    }

    @Test func nestingWithinTheLimitLowers() throws {
        let apl = "logs | where " + String(repeating: "(", count: 40) + "a" + String(repeating: ")", count: 40) + " == 1"
        #expect(try describeAPL(apl) == "where (a == 1)")
    }
}
