import AnvilCore
import Foundation
import Testing
@testable import AnvilIngest

/// A compressible, SDK-like payload: repeated multipart run JSON with some varying digits.
private func payload(_ size: Int, seed: UInt64 = 5) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    var out: [UInt8] = []
    out.reserveCapacity(size)
    while out.count < size {
        out += Array(#"{"id":"01a22861-2ab3-7a87-ab3a-cc836d0b3376","inputs":{"n":\#(rng.next() % 1000)}}"#.utf8)
        out += [0x0D, 0x0A]
    }
    return Array(out[..<size])
}

private func decodeError(_ body: [UInt8], _ encoding: String, limit: Int = 1 << 26) -> DecompressionError? {
    do {
        _ = try Decompression.decode(body, encoding: encoding, limit: limit)
        return nil
    } catch {
        return error
    }
}

private func isCorrupt(_ error: DecompressionError?, _ encoding: String) -> Bool {
    if case .corrupt(encoding, let reason)? = error { return !reason.isEmpty }
    return false
}

/// A zlib stream (RFC 1950) of stored deflate blocks, built by hand: what `Content-Encoding: deflate` carries.
private func zlibStored(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x78, 0x01]
    var offset = 0
    repeat {
        let n = min(65_535, data.count - offset)
        let final: UInt8 = offset + n == data.count ? 1 : 0
        out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
        out += data[offset..<offset + n]
        offset += n
    } while offset < data.count
    var a: UInt32 = 1, b: UInt32 = 0
    for byte in data {
        a = (a + UInt32(byte)) % 65_521
        b = (b + a) % 65_521
    }
    let adler = b << 16 | a
    out += [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
    return out
}

@Suite("Decompression")
struct DecompressionTests {
    @Test("identity and no encoding return the body unchanged", arguments: ["", "identity", " Identity "])
    func identity(_ encoding: String) throws {
        #expect(try Decompression.decode([1, 2, 3], encoding: encoding, limit: 1) == [1, 2, 3])
    }

    @Test("unknown encodings are unsupported", arguments: ["br", "compress", "gzip, br", "x-zstd", "lz4"])
    func unsupported(_ encoding: String) {
        #expect(decodeError([1, 2, 3], encoding) == .unsupported(encoding))
        #expect(DecompressionError.unsupported(encoding).description.hasPrefix("unsupported Content-Encoding '\(encoding)' (supported: gzip, deflate"))
    }

    @Test("error descriptions")
    func descriptions() {
        #expect(DecompressionError.tooLarge(limit: 25 * 1_048_576).description == "the decompressed body exceeds the 25 MB limit")
        #expect(DecompressionError.corrupt(encoding: "gzip", reason: "bad").description == "the gzip body could not be decoded: bad")
    }

    // MARK: gzip and deflate

    @Test("gzip from the gzip tool, any spelling", .enabled(if: Compressor.gzipAvailable), arguments: ["gzip", "x-gzip", "GZIP", " gzip "])
    func gzip(_ encoding: String) throws {
        let data = payload(300_000)
        let compressed = try Compressor.gzip(data)
        #expect(compressed.count < data.count / 3)
        #expect(try Decompression.decode(compressed, encoding: encoding, limit: data.count) == data)
    }

    @Test("concatenated gzip members decode to the concatenation", .enabled(if: Compressor.gzipAvailable))
    func gzipMembers() throws {
        let a = payload(1000, seed: 1), b = payload(200_000, seed: 2)
        let body = try Compressor.gzip(a) + Compressor.gzip(b)
        #expect(try Decompression.decode(body, encoding: "gzip", limit: 1 << 20) == a + b)
    }

    @Test("an empty gzip stream decodes to nothing", .enabled(if: Compressor.gzipAvailable))
    func gzipEmpty() throws {
        #expect(try Decompression.decode(Compressor.gzip([]), encoding: "gzip", limit: 10) == [])
    }

    @Test("deflate (zlib-wrapped) bodies", arguments: [0, 1, 70_000])
    func deflate(_ size: Int) throws {
        let data = payload(size)
        #expect(try Decompression.decode(zlibStored(data), encoding: "deflate", limit: 1 << 20) == data)
    }

    @Test("corrupt gzip and deflate bodies are .corrupt", .enabled(if: Compressor.gzipAvailable))
    func gzipCorrupt() throws {
        let good = try Compressor.gzip(payload(50_000))
        #expect(isCorrupt(decodeError([], "gzip"), "gzip"))
        #expect(isCorrupt(decodeError(Array("not gzip at all".utf8), "gzip"), "gzip"))
        #expect(isCorrupt(decodeError(Array(good[..<(good.count / 2)]), "gzip"), "gzip"))
        #expect(isCorrupt(decodeError(Array(good.dropLast(4)), "gzip"), "gzip"))  // no length trailer
        var badCRC = good
        badCRC[badCRC.count - 6] ^= 0xFF
        #expect(isCorrupt(decodeError(badCRC, "gzip"), "gzip"))
        var badData = good
        badData[20] ^= 0x55
        #expect(isCorrupt(decodeError(badData, "gzip"), "gzip"))
        #expect(isCorrupt(decodeError(good + [1, 2, 3], "gzip"), "gzip"))  // garbage after the member
        var badAdler = zlibStored(payload(100))
        badAdler[badAdler.count - 1] ^= 1
        #expect(isCorrupt(decodeError(badAdler, "deflate"), "gzip"))
    }

    @Test("gzip fuzz: truncations and bit flips are .corrupt or decode, never crash", .enabled(if: Compressor.gzipAvailable))
    func gzipFuzz() throws {
        let good = try Compressor.gzip(payload(20_000))
        var rng = SplitMix64(seed: 77)
        for n in stride(from: 0, to: good.count, by: 7) {
            #expect(isCorrupt(decodeError(Array(good[..<n]), "gzip"), "gzip"), "prefix of \(n) bytes")
        }
        for _ in 0..<300 {
            var bytes = good
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            switch decodeError(bytes, "gzip", limit: 1 << 20) {
            case nil, .corrupt?, .tooLarge?: break  // a flip may turn a block into a long run
            case let other?: Issue.record("unexpected \(other)")
            }
        }
    }

    @Test("gzip output over the limit is .tooLarge", .enabled(if: Compressor.gzipAvailable))
    func gzipLimit() throws {
        let data = [UInt8](repeating: 0, count: 1 << 20)
        let bomb = try Compressor.gzip(data)
        #expect(bomb.count < 2000)
        #expect(decodeError(bomb, "gzip", limit: 64 * 1024) == .tooLarge(limit: 64 * 1024))
        #expect(decodeError(bomb, "gzip", limit: data.count - 1) == .tooLarge(limit: data.count - 1))
        #expect(try Decompression.decode(bomb, encoding: "gzip", limit: data.count) == data)
        #expect(decodeError(zlibStored(payload(1001)), "deflate", limit: 1000) == .tooLarge(limit: 1000))
    }

    // MARK: zstd

    @Test("zstd round trip, small and larger than one output chunk", .enabled(if: Decompression.zstdAvailable), arguments: [0, 1, 5000, 1_000_000])
    func zstd(_ size: Int) throws {
        let data = payload(size)
        let compressed = try #require(Decompression.zstdCompress(data, level: 3))
        #expect(try Decompression.decode(compressed, encoding: "zstd", limit: max(size, 1)) == data)
        #expect(try Decompression.decode(compressed, encoding: "ZSTD", limit: max(size, 1)) == data)
    }

    @Test("a multi-frame zstd stream decodes to the concatenation", .enabled(if: Decompression.zstdAvailable))
    func zstdFrames() throws {
        let a = payload(10_000, seed: 1), b = payload(300_000, seed: 2), c = payload(7, seed: 3)
        let body = try [a, b, c].flatMap { try #require(Decompression.zstdCompress($0)) }
        #expect(try Decompression.decode(body, encoding: "zstd", limit: 1 << 20) == a + b + c)
    }

    /// The Python SDK compresses with a stream writer, so its frames declare no content size.
    @Test("a streamed zstd frame without a content size", .enabled(if: Decompression.zstdAvailable && Compressor.zstdAvailable))
    func zstdStreamed() throws {
        let data = payload(600_000)
        let frame = try Compressor.zstdStream(data)
        // Magic number, then a frame header descriptor with no Frame_Content_Size and not single-segment.
        #expect(Array(frame[..<4]) == [0x28, 0xB5, 0x2F, 0xFD])
        #expect(frame[4] & 0xE0 == 0, "the tool wrote a content size; the case is not exercised")
        #expect(try Decompression.decode(frame, encoding: "zstd", limit: data.count) == data)
        let twice = frame + frame
        #expect(try Decompression.decode(twice, encoding: "zstd", limit: 2 * data.count) == data + data)
    }

    @Test("corrupt and truncated zstd is .corrupt", .enabled(if: Decompression.zstdAvailable))
    func zstdCorrupt() throws {
        let good = try #require(Decompression.zstdCompress(payload(100_000)))
        #expect(isCorrupt(decodeError(Array("not zstd".utf8), "zstd"), "zstd"))
        #expect(isCorrupt(decodeError(Array(good[..<(good.count / 2)]), "zstd"), "zstd"))
        #expect(isCorrupt(decodeError(Array(good.dropLast()), "zstd"), "zstd"))
        #expect(isCorrupt(decodeError(good + [0x28, 0xB5], "zstd"), "zstd"))
        var rng = SplitMix64(seed: 3)
        for n in stride(from: 1, to: good.count, by: 13) {
            #expect(isCorrupt(decodeError(Array(good[..<n]), "zstd"), "zstd"), "prefix of \(n) bytes")
        }
        for _ in 0..<300 {
            var bytes = good
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            switch decodeError(bytes, "zstd", limit: 1 << 20) {
            case nil, .corrupt?, .tooLarge?: break  // a flip may turn a block into a long run
            case let other?: Issue.record("unexpected \(other)")
            }
        }
    }

    @Test("zstd output over the limit is .tooLarge", .enabled(if: Decompression.zstdAvailable))
    func zstdLimit() throws {
        let data = [UInt8](repeating: 7, count: 1 << 20)
        let bomb = try #require(Decompression.zstdCompress(data))
        #expect(bomb.count < 1000)
        #expect(decodeError(bomb, "zstd", limit: 100_000) == .tooLarge(limit: 100_000))
        #expect(decodeError(bomb, "zstd", limit: data.count - 1) == .tooLarge(limit: data.count - 1))
        #expect(try Decompression.decode(bomb, encoding: "zstd", limit: data.count) == data)
    }
}
