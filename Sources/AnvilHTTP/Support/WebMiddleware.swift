import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The frontend role: serves the UI's files under `/ui/` and answers any other browser navigation
/// that no API route matched with `index.html`, so deep links and the back button work.
public struct WebMiddleware<Context: RequestContext>: RouterMiddleware {
    let directory: String

    public init(directory: String) {
        self.directory = (directory as NSString).standardizingPath
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        let path = request.uri.path
        if path.hasPrefix("/ui/") {
            return try file(String(path.dropFirst(4)), request: request)
        }
        // A browser navigation (it asks for HTML; API clients ask for JSON) outside `/api/` is a UI
        // page, even where the root-mounted API has a route of the same name (`/datasets`).
        let accept = request.headers[.accept] ?? ""
        if accept.hasPrefix("text/html") && !path.hasPrefix("/api/") {
            return try file("index.html", request: request)
        }
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            guard accept.contains("text/html"), !path.hasPrefix("/api/") else { throw error }
            return try file("index.html", request: request)
        }
    }

    func file(_ relative: String, request: Request) throws -> Response {
        let decoded = relative.removingPercentEncoding ?? relative
        guard !decoded.split(separator: "/").contains(where: { $0 == ".." || $0.hasPrefix(".") }) else {
            throw APIError.notFound("file")
        }
        let full = (directory as NSString).appendingPathComponent(decoded)
        guard full.hasPrefix(directory + "/"), let data = FileManager.default.contents(atPath: full) else {
            throw APIError.notFound("file \(decoded)")
        }
        let ext = (decoded as NSString).pathExtension.lowercased()
        var headers: HTTPFields = [.contentType: webContentTypes[ext] ?? "application/octet-stream"]
        // The UI is small and changes with the binary: revalidate, never serve stale modules.
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        if ext == "html" {
            headers[HTTPField.Name("Content-Security-Policy")!] =
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

let webContentTypes: [String: String] = [
    "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "json": "application/json", "woff2": "font/woff2",
]
