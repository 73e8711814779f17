import AnvilCore
import AnvilIngest
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Response {
    /// A JSON response, gzip-compressed when it is large and the client accepts gzip (whole traces
    /// and run pages are megabytes of repetitive JSON; compressing costs milliseconds).
    static func json(_ bytes: [UInt8], for request: Request, status: HTTPResponse.Status = .ok) -> Response {
        let accepts = request.headers[.acceptEncoding]?.lowercased().contains("gzip") ?? false
        guard accepts, bytes.count >= 64 * 1024, let packed = Decompression.gzip(bytes) else {
            return json(bytes, status: status)
        }
        return Response(
            status: status,
            headers: [.contentType: "application/json", .contentEncoding: "gzip", .vary: "Accept-Encoding"],
            body: .init(byteBuffer: ByteBuffer(bytes: packed)))
    }

    /// A JSON response from bytes written by ``JSONWriter``.
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(_ build: (inout JSONWriter) -> Void, status: HTTPResponse.Status = .ok) -> Response {
        var w = JSONWriter(capacity: 1024)
        build(&w)
        return json(w.bytes, status: status)
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        json(value.encoded, status: status)
    }
}

extension Request {
    /// Collects the body up to `limit` bytes; beyond it, a 413 with a clear message.
    mutating func bytes(limit: Int = 26 * 1024 * 1024) async throws -> [UInt8] {
        do {
            let buffer = try await collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let e as HTTPError where e.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "request body exceeds the 25 MB limit; send fewer runs per request or smaller attachments")
        }
    }

    /// The body parsed as a JSON object (an empty body is `{}`).
    mutating func jsonObject() async throws -> [String: JSONValue] {
        let body = try await bytes(limit: 8 * 1024 * 1024)
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        do {
            guard case .object(let o) = try JSON.parse(body) else {
                throw APIError.unprocessable("request body must be a JSON object")
            }
            return o
        } catch let e as JSONError {
            throw APIError.badRequest("invalid JSON body: \(e)")
        }
    }

    mutating func jsonValue() async throws -> JSONValue {
        let body = try await bytes(limit: 8 * 1024 * 1024)
        do {
            return try JSON.parse(body)
        } catch {
            throw APIError.badRequest("invalid JSON body: \(error)")
        }
    }

    /// Query parameter access with LangSmith's conventions (repeated keys, `True`/`true`, and `+`
    /// for space, which the Python SDK's `requests` sends).
    var query: QueryParams { QueryParams(rawQuery: uri.query ?? "") }
}

struct QueryParams {
    let pairs: [(String, String)]

    /// Parses `application/x-www-form-urlencoded` query text: `+` is a space, then percent-decoding.
    init(rawQuery: String) {
        pairs = rawQuery.split(separator: "&", omittingEmptySubsequences: true).map { item in
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(kv[0]), kv.count > 1 ? decode(kv[1]) : "")
        }
    }

    func string(_ name: String) -> String? {
        pairs.first { $0.0 == name && !$0.1.isEmpty }?.1
    }

    func all(_ name: String) -> [String] {
        pairs.filter { $0.0 == name && !$0.1.isEmpty }.map(\.1)
    }

    func bool(_ name: String) throws -> Bool? {
        guard let v = string(name) else { return nil }
        switch v.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw APIError.unprocessable("query parameter \(name) must be true or false, got '\(v.prefix(20))'")
        }
    }

    func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let v = string(name) else { return value }
        guard let i = Int(v), range.contains(i) else {
            throw APIError.unprocessable("query parameter \(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return i
    }

    func uuid(_ name: String) throws -> UUID? {
        guard let v = string(name) else { return nil }
        guard let id = UUID(uuidString: v) else { throw APIError.unprocessable("query parameter \(name) must be a UUID") }
        return id
    }

    func uuids(_ name: String) throws -> [UUID]? {
        let values = all(name)
        guard !values.isEmpty else { return nil }
        return try values.map { v in
            guard let id = UUID(uuidString: v) else { throw APIError.unprocessable("query parameter \(name) must hold UUIDs") }
            return id
        }
    }
}

extension Parameters {
    func uuid(_ name: String) throws -> UUID {
        guard let raw = self[name[...]], let id = UUID(uuidString: String(raw)) else {
            throw APIError(.notFound, "'\(self[name[...]].map(String.init)?.prefix(64) ?? "")' is not a valid id")
        }
        return id
    }
}

/// Reading typed fields out of parsed JSON request bodies, with 422s that name the field.
extension Dictionary where Key == String, Value == JSONValue {
    func string(_ key: String) throws -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw APIError.unprocessable("\(key) must be a string")
        }
    }

    func uuid(_ key: String) throws -> UUID? {
        guard let s = try string(key) else { return nil }
        guard let id = UUID(uuidString: s) else { throw APIError.unprocessable("\(key) must be a UUID") }
        return id
    }

    func uuids(_ key: String) throws -> [UUID]? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let s)?:
            guard let id = UUID(uuidString: s) else { throw APIError.unprocessable("\(key) must hold UUIDs") }
            return [id]
        case .array(let items)?:
            return try items.map { item in
                guard let s = item.stringValue, let id = UUID(uuidString: s) else {
                    throw APIError.unprocessable("\(key) must be a list of UUIDs")
                }
                return id
            }
        default: throw APIError.unprocessable("\(key) must be a list of UUIDs")
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch self[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        default: throw APIError.unprocessable("\(key) must be true or false")
        }
    }

    func int(_ key: String) throws -> Int? {
        switch self[key] {
        case nil, .null?: return nil
        case let v?:
            guard let i = v.intValue else { throw APIError.unprocessable("\(key) must be an integer") }
            return Int(i)
        }
    }

    func time(_ key: String) throws -> Timestamp? {
        guard let s = try string(key) else { return nil }
        guard let t = Timestamp(iso8601: s) else { throw APIError.unprocessable("\(key) must be an ISO-8601 date-time") }
        return t
    }

    func object(_ key: String) throws -> [String: JSONValue]? {
        switch self[key] {
        case nil, .null?: return nil
        case .object(let o)?: return o
        default: throw APIError.unprocessable("\(key) must be an object")
        }
    }
}

/// Costs travel as decimal strings (LangSmith's `Decimal` fields): plain notation, no exponent.
func decimalString(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    var s = String(format: "%.12f", value)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s == "-0" ? "0" : s
}
