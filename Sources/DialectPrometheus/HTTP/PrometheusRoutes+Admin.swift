import BasinHTTP
import BasinModel
import HTTPTypes
import Hummingbird
import StorageAPI

extension PrometheusRoutes {
    /// `POST`/`PUT /api/v1/admin/tsdb/delete_series?match[]=…&start=…&end=…` as Prometheus'
    /// TSDB admin API: deletes the samples of every series matching any `match[]` selector in the
    /// range (all time when `start`/`end` are absent) and answers 204 with no body. Needs a token
    /// with the `admin` scope; the deletion is durable when the answer goes out.
    func registerAdmin(on group: RouterGroup<BasinRequestContext>) {
        let path: RouterPath = "api/v1/admin/tsdb/delete_series"
        group.post(path) { request, context in await self.deleteSeries(request, context) }
        group.put(path) { request, context in await self.deleteSeries(request, context) }
    }

    private func deleteSeries(_ request: Request, _ context: BasinRequestContext) async -> Response {
        var request = request
        do {
            let principal = try authenticate(request, scope: .admin)
            let parameters = try await collectParameters(&request)
            let sets = try matcherSets(parameters)
            guard !sets.isEmpty else { throw PrometheusAPIError.badData("no match[] parameter provided") }
            let (start, end) = try timeRange(parameters)
            for matchers in sets {
                try await environment.store.deleteSeries(org: principal.org, matchers: matchers, startMillis: start, endMillis: end)
            }
            environment.selfMetrics.recordRequest(dialect: "prometheus", endpoint: "delete_series", status: 204)
            return Response(status: .noContent)
        } catch {
            let (status, type, message) = PrometheusRoutes.classify(error)
            environment.selfMetrics.recordRequest(dialect: "prometheus", endpoint: "delete_series", status: Int(status.code))
            return Response(
                status: status, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: PrometheusResponseWriter.renderError(type: type, message: message)))
        }
    }
}
