import CAnvil
import Foundation

/// One part of a `multipart/form-data` body: its form name, media type, and the byte range of its body.
public struct MultipartPart: Sendable, Hashable {
    public var name: String
    public var contentType: String?
    public var body: Range<Int>
}

/// A `multipart/form-data` body that could not be split.
public struct MultipartError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Splits `multipart/form-data` bodies (RFC 7578) without copying part bodies.
///
/// Accepts both SDK styles: Python's per-part `Content-Length` and JS's `Content-Type: …; length=n`;
/// part lengths are taken from the delimiter positions, never trusted from headers.
public enum Multipart {
    /// The `boundary` parameter of a `multipart/form-data` content type, or nil.
    public static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let type = parts.first, type.lowercased() == "multipart/form-data" else { return nil }
        for p in parts.dropFirst() {
            guard let eq = p.firstIndex(of: "=") else { continue }
            let key = p[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            guard key == "boundary" else { continue }
            var value = p[p.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            guard !value.isEmpty, value.utf8.count <= 200 else { return nil }
            return value
        }
        return nil
    }

    public static func parse(_ body: [UInt8], boundary: String) throws(MultipartError) -> [MultipartPart] {
        let result: Result<[MultipartPart], MultipartError> = body.withUnsafeBufferPointer { buffer in
            do throws(MultipartError) {
                return .success(try parse(buffer, boundary: Array(boundary.utf8)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func parse(_ buf: UnsafeBufferPointer<UInt8>, boundary: [UInt8]) throws(MultipartError) -> [MultipartPart] {
        let dashBoundary = [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        let delimiter = [0x0D, 0x0A] + dashBoundary
        var parts: [MultipartPart] = []

        // The first boundary may open the body without a preceding CRLF.
        var pos: Int
        if starts(buf, at: 0, with: dashBoundary) && endsDelimiter(buf, at: dashBoundary.count) {
            pos = dashBoundary.count
        } else if let first = findDelimiter(buf, delimiter, from: 0) {
            pos = first + delimiter.count
        } else {
            throw MultipartError(message: "multipart body has no boundary line (expected '--\(String(decoding: boundary, as: UTF8.self))')")
        }

        while true {
            // After a boundary: "--" closes the body, otherwise optional whitespace then CRLF.
            if starts(buf, at: pos, with: [UInt8(ascii: "-"), UInt8(ascii: "-")]) {
                return parts
            }
            while pos < buf.count && (buf[pos] == 0x20 || buf[pos] == 0x09) { pos += 1 }
            guard starts(buf, at: pos, with: [0x0D, 0x0A]) else {
                throw MultipartError(message: "malformed multipart boundary line at byte \(pos)")
            }
            pos += 2

            guard let headerEnd = find(buf, [0x0D, 0x0A, 0x0D, 0x0A], from: pos, limit: 16 * 1024) else {
                throw MultipartError(message: "multipart part headers not terminated at byte \(pos)")
            }
            let headers = try parseHeaders(UnsafeBufferPointer(rebasing: buf[pos..<headerEnd]))
            let bodyStart = headerEnd + 4
            guard let next = findDelimiter(buf, delimiter, from: bodyStart) else {
                throw MultipartError(message: "multipart body truncated: part '\(headers.name)' has no closing boundary")
            }
            parts.append(MultipartPart(name: headers.name, contentType: headers.contentType, body: bodyStart..<next))
            pos = next + delimiter.count
        }
    }

    struct PartHeaders {
        var name: String
        var contentType: String?
    }

    /// Parses part headers on bytes (this runs once per part on the ingest hot path).
    static func parseHeaders(_ bytes: UnsafeBufferPointer<UInt8>) throws(MultipartError) -> PartHeaders {
        var name: String?
        var contentType: String?
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && !(bytes[lineEnd] == 0x0D && lineEnd + 1 < bytes.count && bytes[lineEnd + 1] == 0x0A) {
                lineEnd += 1
            }
            defer { lineStart = lineEnd + 2 }
            if lineEnd == lineStart { continue }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw MultipartError(message: "malformed multipart part header '\(String(decoding: line.prefix(80), as: UTF8.self))'")
            }
            let key = trim(UnsafeBufferPointer(rebasing: line[..<colon]))
            let value = trim(UnsafeBufferPointer(rebasing: line[(colon + 1)...]))
            if equalsLowercase(key, "content-disposition") {
                name = dispositionName(value)
            } else if equalsLowercase(key, "content-type") {
                contentType = String(decoding: value, as: UTF8.self)
            } else if equalsLowercase(key, "content-encoding") {
                throw MultipartError(message: "per-part Content-Encoding is not supported; compress the whole body instead")
            }
        }
        guard let name, !name.isEmpty else {
            throw MultipartError(message: "multipart part without a Content-Disposition name")
        }
        return PartHeaders(name: name, contentType: contentType)
    }

    static func trim(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lo = 0, hi = b.count
        while lo < hi && (b[lo] == 0x20 || b[lo] == 0x09) { lo += 1 }
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0x09) { hi -= 1 }
        return UnsafeBufferPointer(rebasing: b[lo..<hi])
    }

    /// ASCII case-insensitive comparison with a lower-case literal.
    static func equalsLowercase(_ b: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard b.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for i in 0..<b.count {
            var c = b[i]
            if c >= 0x41 && c <= 0x5A { c += 0x20 }
            if c != p[i] { return false }
        }
        return true
    }

    /// The `name` parameter of `form-data; name="…"` (not `filename=`), on bytes.
    static func dispositionName(_ value: UnsafeBufferPointer<UInt8>) -> String? {
        var i = 0
        while i + 5 <= value.count {
            // Find "name=" preceded by a separator (or at the start).
            let isName = (value[i] | 0x20) == UInt8(ascii: "n") && (value[i + 1] | 0x20) == UInt8(ascii: "a")
                && (value[i + 2] | 0x20) == UInt8(ascii: "m") && (value[i + 3] | 0x20) == UInt8(ascii: "e")
                && value[i + 4] == UInt8(ascii: "=")
            let separated = i == 0 || value[i - 1] == UInt8(ascii: ";") || value[i - 1] == 0x20 || value[i - 1] == 0x09
            guard isName && separated else {
                i += 1
                continue
            }
            var j = i + 5
            if j < value.count && value[j] == UInt8(ascii: "\"") {
                j += 1
                var out = [UInt8]()
                while j < value.count {
                    let c = value[j]
                    if c == UInt8(ascii: "\\") && j + 1 < value.count {
                        out.append(value[j + 1])
                        j += 2
                        continue
                    }
                    if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                    out.append(c)
                    j += 1
                }
                return nil
            }
            var end = j
            while end < value.count && value[end] != UInt8(ascii: ";") { end += 1 }
            return String(decoding: trim(UnsafeBufferPointer(rebasing: value[j..<end])), as: UTF8.self)
        }
        return nil
    }

    /// String convenience for tests and callers outside the hot path.
    static func dispositionName(_ value: String) -> String? {
        var bytes = Array(value.utf8)
        return bytes.withUnsafeMutableBufferPointer { dispositionName(UnsafeBufferPointer($0)) }
    }

    @inline(__always)
    static func starts(_ buf: UnsafeBufferPointer<UInt8>, at pos: Int, with prefix: [UInt8]) -> Bool {
        guard pos + prefix.count <= buf.count else { return false }
        for i in 0..<prefix.count where buf[pos + i] != prefix[i] { return false }
        return true
    }

    /// First `CRLF--boundary` at or after `from` that really is a delimiter: followed by `--`, or by
    /// optional blanks and CRLF (RFC 2046 §5.1.1), or by the end of the buffer (a truncated body,
    /// reported by the caller). Text like `--boundaryX` inside a part body is content, not a delimiter.
    static func findDelimiter(_ buf: UnsafeBufferPointer<UInt8>, _ delimiter: [UInt8], from: Int) -> Int? {
        var start = from
        while let hit = find(buf, delimiter, from: start) {
            if endsDelimiter(buf, at: hit + delimiter.count) { return hit }
            start = hit + 1
        }
        return nil
    }

    /// Whether the bytes at `pos` can follow a boundary: `--`, blanks then CRLF, or the end.
    static func endsDelimiter(_ buf: UnsafeBufferPointer<UInt8>, at pos: Int) -> Bool {
        if pos >= buf.count || starts(buf, at: pos, with: [UInt8(ascii: "-"), UInt8(ascii: "-")]) { return true }
        var i = pos
        while i < buf.count && (buf[i] == 0x20 || buf[i] == 0x09) { i += 1 }
        return i >= buf.count || starts(buf, at: i, with: [0x0D, 0x0A]) || (i + 1 == buf.count && buf[i] == 0x0D)
    }

    /// First index of `needle` at or after `from` (searching at most `limit` bytes), via memmem.
    static func find(_ buf: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], from: Int, limit: Int = .max) -> Int? {
        guard from <= buf.count, let base = buf.baseAddress else { return nil }
        let length = min(buf.count - from, limit)
        guard length >= needle.count else { return nil }
        return needle.withUnsafeBufferPointer { n -> Int? in
            guard let hit = anvil_memmem(base + from, length, n.baseAddress, n.count) else { return nil }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        }
    }
}
