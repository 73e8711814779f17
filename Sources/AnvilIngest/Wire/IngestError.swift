/// A request the ingest endpoints refuse, with the HTTP status it maps to and a message that says
/// what to fix. Mapped to `{"detail": message}` by the HTTP layer.
public struct IngestError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// Malformed body or field (400).
        case badRequest
        /// Well-formed but semantically invalid (422).
        case unprocessable
        /// Over the request size limit (413).
        case tooLarge
        /// Content-Type or Content-Encoding not supported (415).
        case unsupportedMediaType
        /// The queue is over its limit; retry later (429).
        case overloaded
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func bad(_ message: String) -> IngestError { IngestError(.badRequest, message) }
    static func invalid(_ message: String) -> IngestError { IngestError(.unprocessable, message) }
}
