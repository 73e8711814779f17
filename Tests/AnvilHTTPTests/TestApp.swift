import AnvilAuth
import AnvilCore
import AnvilHTTP
import AnvilIngest
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// An application over the in-memory stores with a known API key, for router-level tests.
struct TestApp {
    static let key = "lsv2_sk_test_0123456789abcdef0123456789"

    let metadata = MemoryMetadataStore()
    let datasets = MemoryDatasetStore()
    let prompts = MemoryPromptStore()
    let traces = MemoryTraceStore()
    let queue = MemoryIngestQueue()
    let blobs = MemoryBlobStore()
    let progress = IngestProgress()
    var workspace: Workspace!

    static func make() async throws -> TestApp {
        var t = TestApp()
        t.workspace = try await t.metadata.bootstrapDefaultWorkspace()
        try await t.metadata.createAPIKey(APIKey(
            tenantId: t.workspace.id, hash: APIKeys.hash(key), shortKey: "test", description: "test"))
        return t
    }

    func router(maxQueueBytes: Int = 1 << 30, webDirectory: String? = nil, sessionLifetime: Double = 3600) -> Router<AnvilRequestContext> {
        let resolver = ProjectResolver(projects: metadata)
        let ingest = IngestService(queue: queue, blobs: blobs, limits: IngestLimits(maxQueueBytes: maxQueueBytes))
        let authenticator = Authenticator(store: metadata)
        return buildRouter(HTTPDependencies(
            metadata: metadata, datasets: datasets, prompts: prompts, traces: traces, blobs: blobs, ingest: ingest, resolver: resolver,
            authenticator: authenticator, accounts: Accounts(store: metadata, authenticator: authenticator, sessionLifetime: sessionLifetime),
            signer: URLSigner(secret: Array(repeating: 7, count: 32)), anvilVersion: "test", webDirectory: webDirectory))
    }

    func application(maxQueueBytes: Int = 1 << 30, webDirectory: String? = nil, sessionLifetime: Double = 3600) -> some ApplicationProtocol {
        let logger = Logger(label: "test")
        let resolver = ProjectResolver(projects: metadata)
        let router = router(maxQueueBytes: maxQueueBytes, webDirectory: webDirectory, sessionLifetime: sessionLifetime)
        var app = Application(router: router, logger: logger)
        app.addServices(IngestWorker(queue: queue, traces: traces, resolver: resolver, logger: logger, progress: progress))
        return app
    }

    /// Waits until the worker has applied everything queued so far.
    func drain() async throws {
        for _ in 0..<500 {
            if await queue.depth() == 0 { return }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        throw TestError("queue did not drain")
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

extension HTTPFields {
    static var auth: HTTPFields { [HTTPField.Name("x-api-key")!: TestApp.key, .contentType: "application/json"] }
}

extension ByteBuffer {
    static func json(_ s: String) -> ByteBuffer { ByteBuffer(string: s) }
}

/// Parses a response body as JSON (`.null` when it is not JSON, which no assertion accepts).
func body(_ r: TestResponse) -> JSONValue {
    (try? JSON.parse(Array(r.body.readableBytesView))) ?? .null
}
