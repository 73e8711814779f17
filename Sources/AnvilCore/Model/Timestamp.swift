import Foundation

/// A UTC instant in microseconds since the Unix epoch — the precision LangSmith uses in dotted orders.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public init(_ date: Date) {
        microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    public static func now() -> Timestamp { Timestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }
    public var seconds: Double { Double(microseconds) / 1_000_000 }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    public func adding(seconds: Double) -> Timestamp {
        Timestamp(microseconds: microseconds + Int64(seconds * 1_000_000))
    }

    /// ISO-8601 in UTC with microseconds: `2026-11-29T17:36:26.291570+00:00`.
    public var iso8601: String {
        let (days, micros) = microseconds.floorDivided(by: 86_400_000_000)
        let (y, m, d) = Self.civil(fromDays: days)
        let secondsOfDay = micros / 1_000_000
        let fraction = micros % 1_000_000
        var out = [UInt8]()
        out.reserveCapacity(32)
        func pad(_ v: Int64, _ width: Int) {
            // Zero-padded to `width`, never truncated (a year past 9999 keeps all its digits).
            let text = String(v).utf8
            if text.count < width { out.append(contentsOf: repeatElement(0x30, count: width - text.count)) }
            out.append(contentsOf: text)
        }
        pad(y, 4); out.append(0x2D); pad(m, 2); out.append(0x2D); pad(d, 2)
        out.append(UInt8(ascii: "T"))
        pad(secondsOfDay / 3600, 2); out.append(0x3A); pad(secondsOfDay / 60 % 60, 2); out.append(0x3A)
        pad(secondsOfDay % 60, 2); out.append(0x2E); pad(fraction, 6)
        out.append(contentsOf: "+00:00".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// The compact form used inside dotted orders: `20261129T173626291570Z`.
    public var dottedOrderStamp: String {
        let (days, micros) = microseconds.floorDivided(by: 86_400_000_000)
        let (y, m, d) = Self.civil(fromDays: days)
        let s = micros / 1_000_000
        // Written digit by digit: `String(format:)` here cost ~5% of an OTLP request's CPU.
        var out = [UInt8]()
        out.reserveCapacity(22)
        Self.appendPadded(y, 4, to: &out); Self.appendPadded(m, 2, to: &out); Self.appendPadded(d, 2, to: &out)
        out.append(UInt8(ascii: "T"))
        Self.appendPadded(s / 3600, 2, to: &out); Self.appendPadded(s / 60 % 60, 2, to: &out); Self.appendPadded(s % 60, 2, to: &out)
        Self.appendPadded(micros % 1_000_000, 6, to: &out)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `printf("%0<width>lld", v)`: at least `width` characters, a minus sign counting as one.
    static func appendPadded(_ v: Int64, _ width: Int, to out: inout [UInt8]) {
        var count = 0
        var rest = v.magnitude
        repeat {
            count += 1
            rest /= 10
        } while rest > 0
        if v < 0 { out.append(UInt8(ascii: "-")) }
        let pad = width - count - (v < 0 ? 1 : 0)
        if pad > 0 { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: pad)) }
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        rest = v.magnitude
        for i in stride(from: start + count - 1, through: start, by: -1) {
            out[i] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    public var description: String { iso8601 }

    /// Parses ISO-8601 / RFC 3339 date-times as the SDKs send them: `2026-11-29T17:36:26.291570+00:00`,
    /// `…Z`, naive (treated as UTC), a space instead of `T`, 0–9 fraction digits, or a bare date.
    public init?(iso8601 text: String) {
        var utf8 = Array(text.utf8)
        guard let value = Self.parse(&utf8) else { return nil }
        self.init(microseconds: value)
    }

    /// Parses the compact dotted-order form `YYYYMMDDTHHMMSSffffffZ`.
    public init?(dottedOrderStamp text: Substring) {
        let b = Array(text.utf8)
        guard b.count == 22, b[8] == UInt8(ascii: "T"), b[21] == UInt8(ascii: "Z") else { return nil }
        func num(_ r: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in r {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[i] - 0x30)
            }
            return v
        }
        guard let y = num(0..<4), let mo = num(4..<6), let d = num(6..<8), let h = num(9..<11),
            let mi = num(11..<13), let s = num(13..<15), let f = num(15..<21),
            (1...12).contains(mo), (1...Self.daysInMonth(y, mo)).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        let days = Self.days(fromCivil: y, mo, d)
        self.init(microseconds: ((days * 24 + h) * 60 + mi) * 60_000_000 + s * 1_000_000 + f)
    }

    private static func parse(_ b: inout [UInt8]) -> Int64? {
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            i += n
            return v
        }
        func take(_ c: UInt8) -> Bool {
            if i < b.count && b[i] == c { i += 1; return true }
            return false
        }
        guard let y = digits(4), take(0x2D), let mo = digits(2), take(0x2D), let d = digits(2),
            (1...12).contains(mo), (1...Self.daysInMonth(y, mo)).contains(d)
        else { return nil }
        var micros: Int64 = 0
        var offsetSeconds: Int64 = 0
        if i < b.count {
            guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == 0x20 else { return nil }
            i += 1
            guard let h = digits(2), take(0x3A), let mi = digits(2), h < 24, mi < 60 else { return nil }
            var s: Int64 = 0
            if take(0x3A) {
                guard let sec = digits(2), sec < 61 else { return nil }
                s = sec
            }
            micros = ((h * 60 + mi) * 60 + s) * 1_000_000
            if take(0x2E) || take(0x2C) {
                var scale: Int64 = 100_000
                var any = false
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                    micros += Int64(b[i] - 0x30) * scale
                    scale /= 10
                    i += 1
                    any = true
                }
                guard any else { return nil }
            }
            if i < b.count {
                if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                    i += 1
                } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                    let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
                    i += 1
                    guard let oh = digits(2), oh < 24 else { return nil }
                    // `±hh`, `±hhmm` or `±hh:mm`; a colon must be followed by the minutes.
                    let om: Int64
                    if take(0x3A) {
                        guard let m = digits(2) else { return nil }
                        om = m
                    } else {
                        om = digits(2) ?? 0
                    }
                    guard om < 60 else { return nil }
                    offsetSeconds = sign * (oh * 3600 + om * 60)
                } else {
                    return nil
                }
            }
            guard i == b.count else { return nil }
        }
        return days(fromCivil: y, mo, d) * 86_400_000_000 + micros - offsetSeconds * 1_000_000
    }

    /// Length of month `m` of year `y` (proleptic Gregorian), so `2023-02-29` and `2024-04-31` are
    /// rejected instead of silently rolling over into the next month.
    static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let t = Timestamp(iso8601: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO-8601 date-time: \(text)")
        }
        self = t
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}

extension Int64 {
    /// Division rounding toward negative infinity, with a non-negative remainder.
    func floorDivided(by d: Int64) -> (Int64, Int64) {
        var q = self / d
        var r = self % d
        if r < 0 { q -= 1; r += d }
        return (q, r)
    }
}
