import BasinHTTP
import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension DynatraceRoutes {
    /// The self-metrics endpoint names of the descriptor paths.
    static let metricsEndpoint = "/api/v2/metrics"
    static let metricEndpoint = "/api/v2/metrics/{metricKey}"
    /// `pageSize` default and cap (Dynatrace: 100 and 500).
    static let defaultPageSize = 100
    static let maxPageSize = 500

    /// `GET /api/v2/metrics`: the metric descriptors, filtered by `metricSelector` (keys with `*`
    /// wildcards; transformations are accepted and ignored) and `text`, with the `fields` asked
    /// for, `pageSize` at a time. `nextPageKey` carries the query; with it no other parameter may
    /// be given (`400`).
    func listMetrics(_ request: Request) async -> Response {
        let endpoint = Self.metricsEndpoint
        let principal: Principal
        switch authorizeRead(request, endpoint: endpoint) {
        case .success(let found): principal = found
        case .failure(let failure): return failure.response
        }
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters where name != "api-token" { parameters[String(name)] = String(value) }
        var offset = 0
        if let key = parameters["nextPageKey"] {
            guard parameters.count == 1 else {
                return fail(.constraintViolated(parameter: "nextPageKey", message: "must be the only parameter when given"), endpoint: endpoint)
            }
            guard let decoded = Self.decodePageKey(key) else {
                return fail(.constraintViolated(parameter: "nextPageKey", message: "invalid page key"), endpoint: endpoint)
            }
            (offset, parameters) = decoded
        }
        for unsupported in ["writtenSince", "metadataSelector"] where parameters[unsupported] != nil {
            return fail(.constraintViolated(parameter: unsupported, message: "\(unsupported) is not supported by Basin"), endpoint: endpoint)
        }
        let pageSize = min(Int(parameters["pageSize"] ?? "") ?? Self.defaultPageSize, Self.maxPageSize)
        guard pageSize > 0 else {
            return fail(.constraintViolated(parameter: "pageSize", message: "must be a positive number"), endpoint: endpoint)
        }
        let selector: DynatraceSelector?
        let fields: [DynatraceDescriptorField]
        do {
            selector = try parameters["metricSelector"].flatMap { $0.isEmpty ? nil : $0 }.map { text throws(DynatraceSelectorError) in
                try DynatraceSelectorParser.parse(text)
            }
            fields = try DynatraceDescriptorField.parse(parameters["fields"])
        } catch let error as DynatraceSelectorError {
            return fail(.constraintViolated(parameter: "metricSelector", message: error.message), endpoint: endpoint)
        } catch let error as DynatraceParameterError {
            return fail(.constraintViolated(parameter: error.parameter, message: error.message), endpoint: endpoint)
        } catch {
            return fail(DynatraceErrorResponse(status: .badRequest, message: "\(error)"), endpoint: endpoint)
        }
        let all: [DynatraceMetricDescriptor]
        do {
            all = try await DynatraceMetricCatalog(store: environment.store, org: principal.org)
                .list(selector: selector, text: parameters["text"], withDimensions: fields.contains(.dimensionDefinitions))
        } catch {
            return storeFailure(error, endpoint: endpoint)
        }
        let page = Array(all.dropFirst(offset).prefix(pageSize))
        let next = offset + pageSize < all.count ? Self.encodePageKey(offset: offset + pageSize, parameters: parameters) : nil
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: 200)
        return Response.json(status: .ok, DynatraceMetricDescriptorRenderer.renderCollection(page, totalCount: all.count, nextPageKey: next, fields: fields))
    }

    /// `GET /api/v2/metrics/{metricKey}`: one descriptor with every field; `404` for an unknown key.
    func describeMetric(_ request: Request, key: String) async -> Response {
        let endpoint = Self.metricEndpoint
        let principal: Principal
        switch authorizeRead(request, endpoint: endpoint) {
        case .success(let found): principal = found
        case .failure(let failure): return failure.response
        }
        let descriptor: DynatraceMetricDescriptor?
        do {
            descriptor = try await DynatraceMetricCatalog(store: environment.store, org: principal.org).describe(key)
        } catch {
            return storeFailure(error, endpoint: endpoint)
        }
        guard let descriptor else {
            return fail(DynatraceErrorResponse(status: .notFound, message: "Metric key '\(key)' not found"), endpoint: endpoint)
        }
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: 200)
        return Response.json(status: .ok, DynatraceMetricDescriptorRenderer.renderDescriptor(descriptor))
    }

    /// Authentication and the `query` scope for the read endpoints; the failure is the response.
    func authorizeRead(_ request: Request, endpoint: String) -> Result<Principal, ResponseFailure> {
        switch authenticate(request) {
        case .failure(let error): return .failure(ResponseFailure(fail(error, endpoint: endpoint)))
        case .success(let principal):
            guard principal.scopes.contains(.query) else { return .failure(ResponseFailure(fail(.missingReadScope, endpoint: endpoint))) }
            return .success(principal)
        }
    }

    /// A failed store call as a response.
    func storeFailure(_ error: any Error, endpoint: String) -> Response {
        if let classified = error as? any ClassifiedError { return fail(DynatraceErrorResponse(classified), endpoint: endpoint) }
        environment.logger.error("dynatrace: metric listing failed", metadata: ["error": "\(error)"])
        return fail(DynatraceErrorResponse(status: .internalServerError, message: "internal error"), endpoint: endpoint)
    }

    /// `nextPageKey`: the offset and the original parameters, base64url (opaque to clients).
    static func encodePageKey(offset: Int, parameters: [String: String]) -> String {
        var text = "\(offset)"
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) where name != "nextPageKey" {
            text += "\u{0}\(name)\u{0}\(value)"
        }
        return Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decodePageKey(_ key: String) -> (Int, [String: String])? {
        var base64 = key.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
        guard let offset = Int(parts[0]), offset >= 0, parts.count % 2 == 1 else { return nil }
        var parameters: [String: String] = [:]
        for i in stride(from: 1, to: parts.count, by: 2) { parameters[parts[i]] = parts[i + 1] }
        return (offset, parameters)
    }
}

/// A ready error response, as the failure of a `Result`.
struct ResponseFailure: Error {
    let response: Response
    init(_ response: Response) { self.response = response }
}
