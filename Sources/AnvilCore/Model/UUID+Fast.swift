import Foundation

extension UUID {
    /// Parses the canonical 8-4-4-4-12 hex form (either case) without Foundation's `sscanf`-based
    /// parser, which dominated ingest profiles.
    public init?(fast string: some StringProtocol) {
        let utf8 = string.utf8
        let parsed: uuid_t?? = utf8.withContiguousStorageIfAvailable { Self.parse($0) }
        let value: uuid_t?
        if let parsed {
            value = parsed
        } else {
            value = Array(utf8).withUnsafeBufferPointer { Self.parse($0) }
        }
        guard let value else { return nil }
        self.init(uuid: value)
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        guard b.count == 36, b[8] == 0x2D, b[13] == 0x2D, b[18] == 0x2D, b[23] == 0x2D else { return nil }
        var out = [UInt8](repeating: 0, count: 16)
        var i = 0
        var k = 0
        while k < 16 {
            if b[i] == 0x2D { i += 1 }
            guard let hi = hex(b[i]), let lo = hex(b[i + 1]) else { return nil }
            out[k] = hi << 4 | lo
            i += 2
            k += 1
        }
        return (out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7],
                out[8], out[9], out[10], out[11], out[12], out[13], out[14], out[15])
    }

    @inline(__always) static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Canonical lower-case form, as the SDKs send and compare ids.
    public var lowercased: String {
        let u = uuid
        return withUnsafeBytes(of: u) { raw in
            String(unsafeUninitializedCapacity: 36) { out in
                var j = 0
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out[j] = 0x2D; j += 1 }
                    out[j] = Self.digits[Int(raw[i] >> 4)]
                    out[j + 1] = Self.digits[Int(raw[i] & 0x0F)]
                    j += 2
                }
                return 36
            }
        }
    }
}
