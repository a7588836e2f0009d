import BasinHTTP
import BasinModel
import BasinWire
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StorageAPI

extension AxiomRoutes {
    static let ingestEndpoint = "/v1/datasets/{dataset}/ingest"
    static let csvFieldsHeader = HTTPField.Name("X-Axiom-CSV-Fields")!
    static let eventLabelsHeader = HTTPField.Name("X-Axiom-Event-Labels")!

    /// `POST /v1/datasets/{ds}/ingest` and `POST /v1/ingest/{ds}`.
    ///
    /// Order: authenticate (`401`/`403`), find the dataset (`404`, or created when
    /// ``AxiomRoutesOptions/createDatasetOnIngest``), check `Content-Type` and
    /// `Content-Encoding` (`415`), read the body (`413`), decode (`400`, `413` over 10,000
    /// events), store, answer `200 IngestStatus`, failed events included. Nothing is stored
    /// unless the whole request decodes, and the answer goes out after the store returned.
    func ingest(_ request: Request, dataset: String) async -> Response {
        let endpoint = Self.ingestEndpoint
        let principal: Principal
        switch authorize(request, anyOf: .ingest, to: "ingest") {
        case .success(let found): principal = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        if let error = await ensureDataset(dataset, org: principal.org) {
            return fail(error, endpoint: endpoint)
        }
        guard let format = AxiomIngestFormat(contentType: request.headers[.contentType]) else {
            return fail(AxiomErrorResponse(
                status: .unsupportedMediaType,
                message: "unsupported Content-Type \"\(request.headers[.contentType] ?? "")\"; use application/json, application/x-ndjson or text/csv"),
                endpoint: endpoint)
        }
        let options: AxiomIngestOptions
        switch ingestOptions(request) {
        case .success(let found): options = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        let body: ByteBuffer
        switch await readIngestBody(request) {
        case .success(let found): body = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        let batch: AxiomIngestBatch
        do {
            batch = try AxiomIngestDecoder(options: options).decode(body, format: format)
        } catch {
            return fail(AxiomErrorResponse(error), endpoint: endpoint)
        }
        environment.selfMetrics.recordSamples(
            dialect: Self.dialect, endpoint: endpoint, accepted: batch.records.count, rejected: batch.failures.count)
        if !batch.records.isEmpty {
            do {
                try await records.appendRecords(batch.records, org: principal.org, dataset: dataset)
            } catch {
                return fail(storeFailure(error, operation: "ingest"), endpoint: endpoint)
            }
        }
        return ok(AxiomIngestStatus.render(batch), endpoint: endpoint)
    }

    /// Nil when the dataset exists (or was just created); else the error to answer.
    func ensureDataset(_ name: String, org: OrgID) async -> AxiomErrorResponse? {
        if ReservedDataset(rawValue: name) != nil {
            return AxiomErrorResponse(status: .forbidden, message: "dataset \"\(name)\" is reserved and cannot be ingested into")
        }
        do {
            if try await records.dataset(org: org, name: name) != nil { return nil }
            guard options.createDatasetOnIngest else { return .datasetNotFound }
            if let problem = Self.datasetNameProblem(name) { return .badRequest(problem) }
            _ = try await records.createDataset(org: org, DatasetSpec(name: name))
            return nil
        } catch let error as any ClassifiedError where error.kind == .conflict {
            return nil  // created concurrently
        } catch {
            return storeFailure(error, operation: "dataset lookup")
        }
    }

    /// The decoder options from the query string and headers.
    func ingestOptions(_ request: Request) -> Result<AxiomIngestOptions, AxiomErrorResponse> {
        let parameters = Self.queryParameters(request)
        var options = AxiomIngestOptions(nowNanos: Self.nowNanos(), storesSysTime: self.options.storesSysTime, limits: self.options.ingestLimits)
        if let field = parameters["timestamp-field"], !field.isEmpty { options.timestampField = field }
        if let format = parameters["timestamp-format"], !format.isEmpty { options.timestampFormat = format }
        if let delimiter = parameters["csv-delimiter"], !delimiter.isEmpty {
            guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != 0x0A, byte != 0x0D, byte != UInt8(ascii: "\"") else {
                return .failure(.badRequest("invalid csv-delimiter \"\(delimiter)\": use a single ASCII character"))
            }
            options.csvDelimiter = byte
        }
        if let fields = request.headers[Self.csvFieldsHeader] {
            let names = fields.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            options.csvFields = names
        }
        if let labels = request.headers[Self.eventLabelsHeader], !labels.isEmpty {
            options.eventLabels = labels
        }
        return .success(options)
    }

    /// Reads the body after normalising `Content-Encoding`: absent, empty, `identity` and
    /// axiom-py's `1` mean uncompressed; gzip and deflate are undone; zstd and the rest are `415`.
    func readIngestBody(_ request: Request) async -> Result<ByteBuffer, AxiomErrorResponse> {
        var request = request
        if let encoding = request.headers[.contentEncoding] {
            let coding = encoding.trimmingCharacters(in: .whitespaces).lowercased()
            switch coding {
            case "", "1", "identity":
                var head = request.head
                head.headerFields[.contentEncoding] = nil
                request = Request(head: head, body: request.body)
            case "gzip", "x-gzip", "deflate", "zstd":
                break
            default:
                return .failure(AxiomErrorResponse(
                    status: .unsupportedMediaType,
                    message: "unsupported Content-Encoding \"\(coding)\"; supported: gzip, deflate, zstd, identity"))
            }
        }
        do {
            let limit = options.maxIngestBodyBytes ?? environment.limits.maxDecompressedBytes
            return .success(try await BodyReader.read(request, limits: environment.limits, maxBytes: limit))
        } catch {
            return .failure(AxiomErrorResponse(error))
        }
    }

    /// The server clock in nanoseconds since the epoch.
    static func nowNanos() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1e9).rounded(.down))
    }
}
