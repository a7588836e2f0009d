import BasinHTTP
import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension DynatraceRoutes {
    /// The self-metrics endpoint name of both query paths.
    static let queryEndpoint = "/api/v2/metrics/query"

    /// `GET /api/v2/metrics/query`: authenticate (`query` scope, Dynatrace's `metrics.read`),
    /// parse `metricSelector`, `from`, `to`, `resolution`, evaluate, render `MetricData`
    /// (JSON, or CSV for `Accept: text/csv`).
    ///
    /// Bad parameters and selectors answer `400 Constraints violated.` naming the parameter; an
    /// unknown metric key `404`; an `Accept` that allows neither JSON nor CSV `406`.
    func query(_ request: Request) async -> Response {
        let endpoint = Self.queryEndpoint
        let principal: Principal
        switch authorizeRead(request, endpoint: endpoint) {
        case .success(let found): principal = found
        case .failure(let failure): return failure.response
        }
        guard let format = Self.responseFormat(request.headers[.accept]) else {
            return fail(DynatraceErrorResponse(status: .notAcceptable, message: "Not Acceptable: use application/json or text/csv"), endpoint: endpoint)
        }
        let data: DynatraceMetricData
        switch await evaluateQuery(request, org: principal.org) {
        case .success(let found): data = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: 200)
        switch format {
        case .json:
            return Response.json(status: .ok, DynatraceMetricDataRenderer.renderJSON(data))
        case .csv(let header):
            return Response(
                status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
                body: .init(byteBuffer: DynatraceMetricDataRenderer.renderCSV(data, header: header)))
        }
    }

    /// Parses the parameters and evaluates the selector; the failure is the error to answer.
    func evaluateQuery(_ request: Request, org: OrgID) async -> Result<DynatraceMetricData, DynatraceErrorResponse> {
        let parameters = request.uri.queryParameters
        if parameters.get("entitySelector").map({ !$0.isEmpty }) ?? false {
            return .failure(.constraintViolated(parameter: "entitySelector", message: "Basin has no entities: entitySelector is not supported"))
        }
        guard let text = parameters.get("metricSelector"), !text.isEmpty else {
            return .failure(.constraintViolated(parameter: "metricSelector", message: "must not be empty"))
        }
        let selector: DynatraceSelector
        let timeframe: DynatraceTimeframe
        do {
            selector = try DynatraceSelectorParser.parse(text)
            timeframe = try DynatraceTimeframe(
                from: parameters.get("from"), to: parameters.get("to"), resolution: parameters.get("resolution"), nowMillis: DialectEnvironment.nowMillis())
        } catch let error as DynatraceSelectorError {
            return .failure(.constraintViolated(parameter: "metricSelector", message: error.message))
        } catch let error as DynatraceParameterError {
            return .failure(.constraintViolated(parameter: error.parameter, message: error.message))
        } catch {
            return .failure(DynatraceErrorResponse(status: .badRequest, message: "\(error)"))
        }
        do {
            return .success(try await DynatraceQueryEvaluator(store: environment.store, org: org).evaluate(selector, timeframe: timeframe))
        } catch DynatraceQueryError.badSelector(let message) {
            return .failure(.constraintViolated(parameter: "metricSelector", message: message))
        } catch DynatraceQueryError.metricNotFound(let key) {
            return .failure(DynatraceErrorResponse(status: .notFound, message: "Metric key '\(key)' not found"))
        } catch let error as any ClassifiedError {
            return .failure(DynatraceErrorResponse(error))
        } catch {
            environment.logger.error("dynatrace: query failed", metadata: ["error": "\(error)"])
            return .failure(DynatraceErrorResponse(status: .internalServerError, message: "internal error"))
        }
    }

    /// The representations of `MetricData`.
    enum ResponseFormat: Equatable {
        case json
        /// `text/csv; header=present` (true) or `header=absent`.
        case csv(header: Bool)
    }

    /// The first acceptable media range of `Accept` (none: JSON); nil when none is.
    static func responseFormat(_ accept: String?) -> ResponseFormat? {
        guard let accept, !accept.isEmpty else { return .json }
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parts.first else { continue }
            if parts.contains(where: { $0.replacingOccurrences(of: " ", with: "") == "q=0" }) { continue }
            switch type {
            case "application/json", "application/*", "*/*": return .json
            case "text/csv", "text/*": return .csv(header: !parts.contains("header=absent"))
            default: continue
            }
        }
        return nil
    }
}
