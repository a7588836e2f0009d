import BasinModel
import StorageAPI
@testable import StorageEngine
import Testing

private typealias F = PlanFixture

private func op(_ o: RecordBinaryOp, _ l: RecordExpr, _ r: RecordExpr) -> RecordExpr { .binary(o, l, r) }
private func call(_ f: RecordFunction, _ args: RecordExpr...) -> RecordExpr { .call(f, args) }
private func test(
    _ o: RecordStringOp, _ l: RecordExpr, _ r: String, caseSensitive: Bool = false, negated: Bool = false
) -> RecordExpr {
    .stringTest(o, l, F.string(r), caseSensitive: caseSensitive, negated: negated)
}
private let s = F.field("s"), i = F.field("i"), f = F.field("f"), b = F.field("b"), n = F.field("n")
private let t = F.field("t"), e = F.field("e"), arr = F.field("arr"), obj = F.field("obj")
private let yes = FieldValue.bool(true), no = FieldValue.bool(false)
private func real(_ d: Double) -> RecordExpr { .literal(.float(d)) }

@Suite("Record query plan: operators")
struct RecordQueryPlanExpressionTests {
    @Test("comparison operators follow Kusto typing and null rules", arguments: [
        ("int equals float numerically", op(.eq, i, real(7)), yes),
        ("string equality is case-sensitive", op(.eq, s, F.string("hello world-foo_bar 42")), no),
        ("float less than int", op(.lt, f, i), yes),
        ("less or equal", op(.le, i, F.int(7)), yes),
        ("greater than between timestamps", op(.gt, t, .literal(.timestamp(F.baseNanos - 1))), yes),
        ("timestamp compares with int nanoseconds", op(.ge, t, F.int(F.baseNanos)), yes),
        ("strings compare by bytes", op(.lt, F.string("B"), F.string("a")), yes),
        ("equality with null is false", op(.eq, n, n), no),
        ("inequality with one null is true", op(.ne, n, i), yes),
        ("inequality of two nulls is false", op(.ne, n, F.field("absent")), no),
        ("ordering with null is false", op(.lt, n, i), no),
        ("mismatched types are not equal", op(.eq, s, i), no),
        ("and treats null as false", op(.and, b, n), no),
        ("or treats null as false", op(.or, n, b), yes),
        ("not of a bool", .not(b), no),
        ("not of null is null", .not(n), .null),
        ("negate an int", .negate(i), .int(-7)),
        ("negate a float", .negate(f), .float(-2.5)),
    ] as [(String, RecordExpr, FieldValue)])
    func comparisons(name: String, expr: RecordExpr, expected: FieldValue) throws {
        #expect(try F.evaluate(expr) == expected, "\(name)")
    }

    @Test("arithmetic keeps ints, widens to floats and handles timestamps", arguments: [
        ("int plus int", op(.add, i, F.int(1)), FieldValue.int(8)),
        ("int plus float", op(.add, i, f), .float(9.5)),
        ("int minus int", op(.subtract, i, F.int(10)), .int(-3)),
        ("int times int", op(.multiply, i, F.int(3)), .int(21)),
        ("int division truncates", op(.divide, i, F.int(2)), .int(3)),
        ("negative int division truncates toward zero", op(.divide, F.int(-7), F.int(2)), .int(-3)),
        ("int division by zero is null", op(.divide, i, F.int(0)), .null),
        ("float division", op(.divide, i, real(2)), .float(3.5)),
        ("modulo", op(.modulo, i, F.int(3)), .int(1)),
        ("modulo by zero is null", op(.modulo, i, F.int(0)), .null),
        ("timestamp plus nanoseconds", op(.add, t, F.int(1_000)), .timestamp(F.baseNanos + 1_000)),
        ("timestamp minus nanoseconds", op(.subtract, t, F.int(1_000)), .timestamp(F.baseNanos - 1_000)),
        ("timestamp minus timestamp", op(.subtract, t, .literal(.timestamp(F.baseNanos - 5))), .int(5)),
        ("strings do not concatenate", op(.add, s, s), .null),
        ("null operand gives null", op(.add, n, i), .null),
    ])
    func arithmetic(name: String, expr: RecordExpr, expected: FieldValue) throws {
        #expect(try F.evaluate(expr) == expected, "\(name)")
    }

    @Test("string tests, regex, in, between and search", arguments: [
        ("equals ignoring case", test(.equals, s, "hello world-foo_bar 42"), yes),
        ("equals case-sensitive", test(.equals, s, "hello world-foo_bar 42", caseSensitive: true), no),
        ("contains ignoring case", test(.contains, s, "WORLD"), yes),
        ("contains case-sensitive", test(.contains, s, "WORLD", caseSensitive: true), no),
        ("negated contains", test(.contains, s, "xyz", negated: true), yes),
        ("startsWith", test(.startsWith, s, "hello"), yes),
        ("endsWith", test(.endsWith, s, "42"), yes),
        ("has a whole term", test(.has, s, "world"), yes),
        ("has splits on underscores", test(.has, s, "foo"), yes),
        ("has rejects part of a term", test(.has, s, "wor"), no),
        ("hasPrefix of a term", test(.hasPrefix, s, "wor"), yes),
        ("hasSuffix of a term", test(.hasSuffix, s, "ORLD"), yes),
        ("null never matches", test(.contains, n, ""), no),
        ("negated null never matches", test(.contains, n, "x", negated: true), no),
        ("numbers are tested as text", test(.equals, i, "7"), yes),
        ("non-ASCII folds case", test(.contains, F.field("u"), "äbc"), yes),
        ("a computed right-hand side", .stringTest(.contains, s, call(.toupper, F.string("world")), caseSensitive: false, negated: false), yes),
        ("regex partial match", .regex(s, pattern: "W.rld", negated: false), yes),
        ("negated regex", .regex(s, pattern: "W.rld", negated: true), no),
        ("regex anchors", .regex(s, pattern: "^World", negated: false), no),
        ("regex over an int's text", .regex(i, pattern: "^7$", negated: false), yes),
        ("regex over null", .regex(n, pattern: ".*", negated: false), no),
        ("in ignoring case", .inList(s, [F.string("x"), F.string("HELLO world-foo_bar 42")], caseSensitive: false, negated: false), yes),
        ("in case-sensitive", .inList(s, [F.string("HELLO world-foo_bar 42")], caseSensitive: true, negated: false), no),
        ("in compares numbers numerically", .inList(i, [F.int(1), real(7)], caseSensitive: true, negated: false), yes),
        ("negated in", .inList(i, [F.int(1)], caseSensitive: true, negated: true), yes),
        ("in with null", .inList(n, [.literal(.null)], caseSensitive: true, negated: false), no),
        ("between inclusive", .between(i, F.int(1), F.int(7), negated: false), yes),
        ("between outside", .between(i, F.int(8), F.int(9), negated: false), no),
        ("negated between", .between(i, F.int(8), F.int(9), negated: true), yes),
        ("between across int and float", .between(f, F.int(2), F.int(3), negated: false), yes),
        ("between with null", .between(n, F.int(2), F.int(3), negated: true), no),
        ("search finds nested strings", .search("DEEP", caseSensitive: false), yes),
        ("search finds flattened fields", .search("pari", caseSensitive: false), yes),
        ("search case-sensitive", .search("PARIS", caseSensitive: true), no),
        ("search ignores field names", .search("geo", caseSensitive: false), no),
    ] as [(String, RecordExpr, FieldValue)])
    func stringTests(name: String, expr: RecordExpr, expected: FieldValue) throws {
        #expect(try F.evaluate(expr) == expected, "\(name)")
    }

    @Test("scalar functions", arguments: [
        ("iff true", call(.iff, b, F.int(1), F.int(2)), FieldValue.int(1)),
        ("iff null condition takes else", call(.iff, n, F.int(1), F.int(2)), .int(2)),
        ("case first true pair", call(.case, .literal(.bool(false)), F.int(1), op(.gt, i, F.int(5)), F.int(2), F.int(3)), .int(2)),
        ("case else", call(.case, .literal(.bool(false)), F.int(1), F.int(3)), .int(3)),
        ("bin int", call(.bin, i, F.int(5)), .int(5)),
        ("bin negative int floors", call(.bin, F.int(-7), F.int(5)), .int(-10)),
        ("bin float", call(.bin, f, F.int(2)), .float(2)),
        ("bin timestamp", call(.bin, op(.add, t, F.int(1_500)), F.int(1_000)), .timestamp(F.baseNanos + 1_000)),
        ("bin zero size", call(.bin, i, F.int(0)), .null),
        ("tostring null is empty", call(.tostring, n), .string("")),
        ("tostring int", call(.tostring, i), .string("7")),
        ("tostring float", call(.tostring, f), .string("2.5")),
        ("tostring integral float", call(.tostring, real(3)), .string("3")),
        ("tostring bool", call(.tostring, b), .string("true")),
        ("tostring timestamp", call(.tostring, op(.add, t, F.int(120_000_000))), .string("2023-11-14T22:13:20.12Z")),
        ("tostring array", call(.tostring, arr), .string("[1,2,3]")),
        ("tostring object", call(.tostring, F.path(.member("obj"), .member("a"))), .string("{\"b\":\"deep\"}")),
        ("toint string", call(.toint, F.string("42")), .int(42)),
        ("toint real string", call(.toint, F.string("2.9")), .int(2)),
        ("toint float truncates", call(.toint, f), .int(2)),
        ("toint bool", call(.toint, b), .int(1)),
        ("toint timestamp", call(.toint, t), .int(F.baseNanos)),
        ("toint garbage", call(.toint, F.string("x")), .null),
        ("toreal string", call(.toreal, F.string("1.5")), .float(1.5)),
        ("toreal int", call(.toreal, i), .float(7)),
        ("tobool string", call(.tobool, F.string("TRUE")), .bool(true)),
        ("tobool zero", call(.tobool, F.int(0)), .bool(false)),
        ("tobool garbage", call(.tobool, F.string("x")), .null),
        ("todatetime RFC 3339", call(.todatetime, F.string("2023-11-14T22:13:20Z")), .timestamp(F.baseNanos)),
        ("todatetime with offset and fraction", call(.todatetime, F.string("2023-11-14T23:13:20.5+01:00")), .timestamp(F.baseNanos + 500_000_000)),
        ("todatetime int nanoseconds", call(.todatetime, F.int(5)), .timestamp(5)),
        ("todatetime garbage", call(.todatetime, F.string("yesterday")), .null),
        ("strlen counts scalars", call(.strlen, F.string("h\u{E9}llo")), .int(5)),
        ("strlen of null", call(.strlen, n), .null),
        ("tolower", call(.tolower, F.string("AbC")), .string("abc")),
        ("toupper", call(.toupper, F.string("AbC")), .string("ABC")),
        ("strcat", call(.strcat, F.string("a"), i, n), .string("a7")),
        ("substring with length", call(.substring, F.string("hello"), F.int(1), F.int(3)), .string("ell")),
        ("substring to the end", call(.substring, F.string("hello"), F.int(2)), .string("llo")),
        ("substring negative start", call(.substring, F.string("hello"), F.int(-1), F.int(2)), .string("he")),
        ("isnull", call(.isnull, n), yes),
        ("isnull of missing", call(.isnull, F.field("absent")), yes),
        ("isnotnull", call(.isnotnull, i), yes),
        ("isempty of empty string", call(.isempty, e), yes),
        ("isempty of null", call(.isempty, n), yes),
        ("isempty of text", call(.isempty, s), no),
        ("isnotempty", call(.isnotempty, s), yes),
        ("abs int", call(.abs, F.int(-3)), .int(3)),
        ("abs float", call(.abs, real(-2.5)), .float(2.5)),
        ("floor float", call(.floor, f), .float(2)),
        ("floor int", call(.floor, i), .int(7)),
        ("round half away from zero", call(.round, f), .float(3)),
        ("round to digits", call(.round, real(1.256), F.int(2)), .float(1.26)),
        ("sqrt", call(.sqrt, F.int(16)), .float(4)),
        ("sqrt of negative is null", call(.sqrt, F.int(-1)), .null),
        ("log", call(.log, F.int(1)), .float(0)),
        ("log10", call(.log10, F.int(1000)), .float(3)),
        ("exp", call(.exp, F.int(0)), .float(1)),
        ("pow", call(.pow, F.int(2), F.int(10)), .float(1024)),
        ("coalesce", call(.coalesce, n, F.field("absent"), i), .int(7)),
        ("array_length", call(.arrayLength, arr), .int(3)),
        ("array_length of non-array", call(.arrayLength, s), .null),
        ("gettype string", call(.gettype, s), .string("string")),
        ("gettype long", call(.gettype, i), .string("long")),
        ("gettype real", call(.gettype, f), .string("real")),
        ("gettype bool", call(.gettype, b), .string("bool")),
        ("gettype null", call(.gettype, n), .string("null")),
        ("gettype datetime", call(.gettype, t), .string("datetime")),
        ("gettype array", call(.gettype, arr), .string("array")),
        ("gettype dictionary", call(.gettype, obj), .string("dictionary")),
    ])
    func functions(name: String, expr: RecordExpr, expected: FieldValue) throws {
        #expect(try F.evaluate(expr) == expected, "\(name)")
    }

    @Test("extreme values give a value, never a trap", arguments: [
        (op(.divide, F.int(.min), F.int(-1)), FieldValue.int(.min)),
        (op(.modulo, F.int(.min), F.int(-1)), .int(0)),
        (op(.add, F.int(.max), F.int(1)), .int(.min)),
        (.negate(F.int(.min)), .int(.min)),
        (call(.abs, F.int(.min)), .int(.min)),
        (call(.toint, real(1e300)), .null),
        (call(.bin, F.int(.min), F.int(7)), .null),
        (call(.bin, F.int(.min + 1), F.int(7)), .int(.min + 1)),
        (call(.bin, t, real(1e300)), .null),
        (call(.substring, F.string("abc"), F.int(.max), F.int(.max)), .string("")),
        (call(.round, f, F.int(.max)), .float(2.5)),
        (call(.isempty, call(.tostring, .literal(.timestamp(.min)))), .bool(false)),
        (call(.todatetime, call(.tostring, .literal(.timestamp(.max)))), .timestamp(.max)),
    ])
    func extremeValues(expr: RecordExpr, expected: FieldValue) throws {
        #expect(try F.evaluate(expr) == expected)
    }

    @Test("every function is covered by the functions table")
    func everyFunctionCovered() {
        // A reminder to extend the table when RecordFunction grows.
        #expect(RecordFunction.allCases.count == 28)
    }

    @Test("RFC 3339 formatting and parsing round-trip", arguments: [
        Int64(0), 1, -1, 1_700_000_000_123_456_789, -86_400_000_000_001, 253_402_300_799_999_999,
    ])
    func rfc3339RoundTrip(nanos: Int64) {
        #expect(RFC3339Nanos.parse(RFC3339Nanos.format(nanos)) == nanos, "\(RFC3339Nanos.format(nanos))")
    }
}
