import BasinModel

/// A query test script in the style of Prometheus' `promqltest`, usable by every query dialect
/// and every storage backend.
///
/// ```
/// # comment
/// load 1m
///     http_requests{job="api", instance="0"} 0+10x10
///     {"system.cpu.user", host="a"} 1 _ 3 _x2 5
///
/// eval instant at 5m sum by (job) (http_requests)
///     {job="api"} 50
///
/// eval range from 0 to 2m step 1m http_requests
///     http_requests{job="api", instance="0"} 0 10 20
///
/// eval_fail instant at 0 foo(
///     expected_fail_message parse error
/// clear
/// ```
///
/// Value expansions: `a+bxn` is the n+1 values `a, a+b, ..., a+n*b` (`a-bxn` decreases), `axn`
/// repeats `a` n+1 times, `_` is a missing sample and `_xn` n missing samples. Instant results
/// compare unordered unless the command is `eval_ordered`; numbers compare with a relative
/// tolerance of 1e-6 and NaN equals NaN. `expected_fail_message` checks that the error message
/// contains the text; `expected_fail_regexp` that it matches the expression.
public struct QueryScript: Sendable {
    public var commands: [Command]

    public enum Command: Sendable {
        /// Samples to store, with the line they came from.
        case load(MetricBatch, line: Int)
        /// Forget everything stored.
        case clear(line: Int)
        case eval(Evaluation)
    }

    /// One query and what it must produce.
    public struct Evaluation: Sendable {
        public var line: Int
        public var query: String
        public var startMillis: Int64
        public var endMillis: Int64
        public var stepMillis: Int64
        /// True for `eval instant`, false for `eval range`.
        public var isInstant: Bool
        public var ordered: Bool
        public var expectation: Expectation
    }

    public enum Expectation: Sendable {
        /// Series with one value per step (`nil` = no value); a scalar result is one entry with
        /// empty labels marked by `isScalar`.
        case success(series: [ExpectedSeries], isScalar: Bool)
        /// The query must fail; optional message substring or regular expression.
        case failure(messageContains: String?, messageRegex: String?)
    }

    public struct ExpectedSeries: Sendable {
        public var labels: Labels
        public var values: [Double?]
    }

    /// Parses a script.
    /// - Throws: ``QueryScriptError`` naming the line at fault.
    public static func parse(_ text: String) throws(QueryScriptError) -> QueryScript {
        var parser = QueryScriptParser(lines: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        return QueryScript(commands: try parser.parse())
    }
}

/// A malformed script line.
public struct QueryScriptError: Error, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// What a dialect's evaluation returned, in a shape every dialect can produce.
public enum QueryScriptOutcome: Sendable {
    case scalar(Double)
    /// Instant vector elements.
    case vector([(labels: Labels, value: Double)])
    /// Series with points (`timestampMillis`, value).
    case matrix([(labels: Labels, points: [(timestampMillis: Int64, value: Double)])])
    case string(String)
}

extension QueryScript {
    /// Runs the script and returns one message per failed expectation (empty when all passed).
    ///
    /// - Parameters:
    ///   - load: stores a batch (the data of one `load` block, timestamps relative to 0).
    ///   - clear: forgets all data.
    ///   - evaluate: runs one evaluation's query and returns its result, or throws its error.
    public func run(
        load: (MetricBatch) async throws -> Void,
        clear: () async throws -> Void,
        evaluate: (Evaluation) async throws -> QueryScriptOutcome
    ) async -> [String] {
        var failures: [String] = []
        for command in commands {
            switch command {
            case .load(let batch, let line):
                do { try await load(batch) } catch { failures.append("line \(line): load failed: \(error)") }
            case .clear(let line):
                do { try await clear() } catch { failures.append("line \(line): clear failed: \(error)") }
            case .eval(let evaluation):
                let prefix = "line \(evaluation.line) `\(evaluation.query)`"
                do {
                    let outcome = try await evaluate(evaluation)
                    if case .failure = evaluation.expectation {
                        failures.append("\(prefix): expected an error, got \(outcome)")
                        continue
                    }
                    if let problem = QueryScriptComparison.compare(outcome, evaluation) {
                        failures.append("\(prefix): \(problem)")
                    }
                } catch {
                    guard case .failure(let contains, let regex) = evaluation.expectation else {
                        failures.append("\(prefix): unexpected error: \(error)")
                        continue
                    }
                    let message = (error as? any ClassifiedError)?.message ?? "\(error)"
                    if let contains, !message.contains(contains) {
                        failures.append("\(prefix): error \"\(message)\" does not contain \"\(contains)\"")
                    }
                    if let regex {
                        let matched = (try? Regex(regex)).map { message.contains($0) } ?? false
                        if !matched { failures.append("\(prefix): error \"\(message)\" does not match /\(regex)/") }
                    }
                }
            }
        }
        return failures
    }
}
