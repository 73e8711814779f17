import CZlib
import Foundation
import CAnvil

/// Why a compressed request body could not be decoded.
public enum DecompressionError: Error, Sendable, Hashable, CustomStringConvertible {
    case corrupt(encoding: String, reason: String)
    case tooLarge(limit: Int)
    case unsupported(String)

    public var description: String {
        switch self {
        case .corrupt(let encoding, let reason): "the \(encoding) body could not be decoded: \(reason)"
        case .tooLarge(let limit): "the decompressed body exceeds the \(limit / 1_048_576) MB limit"
        case .unsupported(let e): "unsupported Content-Encoding '\(e)' (supported: gzip, deflate\(Decompression.zstdAvailable ? ", zstd" : ""))"
        }
    }
}

/// Decodes `Content-Encoding: gzip|deflate|zstd` bodies with a hard cap on the output size, so a
/// small compressed request cannot expand into unbounded memory.
public enum Decompression {
    /// zstd is decoded by libzstd loaded at run time; the server advertises it only when this is true.
    public static var zstdAvailable: Bool { anvil_zstd_available() != 0 }

    public static func decode(_ body: [UInt8], encoding: String, limit: Int) throws(DecompressionError) -> [UInt8] {
        switch encoding.lowercased().trimmingCharacters(in: .whitespaces) {
        case "", "identity": return body
        case "gzip", "x-gzip", "deflate": return try inflate(body, limit: limit)
        case "zstd" where zstdAvailable: return try zstd(body, limit: limit)
        default: throw .unsupported(encoding)
        }
    }

    /// gzip or zlib (auto-detected from the header), concatenated gzip members included.
    static func inflate(_ input: [UInt8], limit: Int) throws(DecompressionError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt(encoding: "gzip", reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(min(limit, max(input.count * 4, 4096)))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        var offset = 0
        while true {
            let produced: Int = input.withUnsafeBufferPointer { inBuf in
                chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + offset)
                    stream.avail_in = UInt32(inBuf.count - offset)
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    offset = inBuf.count - Int(stream.avail_in)
                    return outBuf.count - Int(stream.avail_out)
                }
            }
            output.append(contentsOf: chunk[0..<produced])
            if output.count > limit { throw .tooLarge(limit: limit) }
            if status == Z_STREAM_END {
                // Another gzip member may follow (concatenated streams are valid gzip).
                if offset < input.count {
                    guard inflateReset(&stream) == Z_OK else { throw .corrupt(encoding: "gzip", reason: "reset failed") }
                    continue
                }
                return output
            }
            guard status == Z_OK || (status == Z_BUF_ERROR && produced > 0) else {
                let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw .corrupt(encoding: "gzip", reason: reason)
            }
            if offset >= input.count && produced == 0 {
                throw .corrupt(encoding: "gzip", reason: "unexpected end of data")
            }
        }
    }

    /// Streaming decode: the SDK's frames come from a stream writer and declare no content size.
    static func zstd(_ input: [UInt8], limit: Int) throws(DecompressionError) -> [UInt8] {
        guard !input.isEmpty else { throw .corrupt(encoding: "zstd", reason: "empty body") }
        guard let stream = anvil_zstd_dstream_create() else { throw .unsupported("zstd") }
        defer { anvil_zstd_dstream_free(stream) }
        var output = [UInt8]()
        output.reserveCapacity(min(limit, max(input.count * 6, 4096)))
        var chunk = [UInt8](repeating: 0, count: 128 * 1024)
        var consumed = 0
        var lastResult = 0
        while consumed < input.count || lastResult > 0 {
            var failure: String?
            let produced: Int = input.withUnsafeBufferPointer { inBuf in
                chunk.withUnsafeMutableBufferPointer { outBuf in
                    var zin = anvil_zstd_in(src: inBuf.baseAddress, size: inBuf.count, pos: consumed)
                    var zout = anvil_zstd_out(dst: outBuf.baseAddress, size: outBuf.count, pos: 0)
                    let r = anvil_zstd_decompress_stream(stream, &zout, &zin)
                    if anvil_zstd_is_error(r) != 0 {
                        failure = String(cString: anvil_zstd_error_name(r))
                    }
                    lastResult = anvil_zstd_is_error(r) != 0 ? 0 : r
                    consumed = zin.pos
                    return zout.pos
                }
            }
            if let failure { throw .corrupt(encoding: "zstd", reason: failure) }
            output.append(contentsOf: chunk[0..<produced])
            if output.count > limit { throw .tooLarge(limit: limit) }
            if consumed >= input.count && produced == 0 && lastResult > 0 {
                throw .corrupt(encoding: "zstd", reason: "truncated frame")
            }
        }
        return output
    }

    /// zstd-compresses (used by tests and benchmarks to produce SDK-like bodies).
    public static func zstdCompress(_ input: [UInt8], level: Int32 = 1) -> [UInt8]? {
        guard zstdAvailable else { return nil }
        var out = [UInt8](repeating: 0, count: anvil_zstd_compress_bound(input.count))
        let n = input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                anvil_zstd_compress(o.baseAddress, o.count, i.baseAddress, i.count, level)
            }
        }
        guard anvil_zstd_is_error(n) == 0 else { return nil }
        return Array(out[0..<n])
    }
}

extension Decompression {
    /// gzip-compresses (level 1: responses are compressed on the request path, speed matters more
    /// than ratio). Nil if zlib fails.
    public static func gzip(_ input: [UInt8], level: Int32 = 1) -> [UInt8]? {
        var stream = z_stream()
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return nil
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let status: Int32 = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = UInt32(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        return Array(output[0..<Int(stream.total_out)])
    }
}
