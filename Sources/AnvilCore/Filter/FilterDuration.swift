/// Duration literals for ``FilterField/latency`` and ``FilterField/firstTokenTime``.
///
/// LangSmith documents `gt(latency, "5s")` and `gt(latency, 2)` (bare numbers are seconds);
/// the other units are the usual ones, so `"100ms"`, `"1.5m"`, `"2h"` and compound forms such as
/// `"1h30m"` or `"1m 30s"` work too.
public enum FilterDuration {
    /// Seconds per unit; units are matched case-insensitively.
    static let units: [String: Double] = [
        "us": 1e-6, "ms": 1e-3,
        "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
        "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
        "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
        "d": 86400, "day": 86400, "days": 86400,
    ]

    /// The duration in seconds, or nil when `text` is not a non-negative duration.
    ///
    /// Accepts a bare decimal (`"2"`, `"0.5"`: seconds) or one or more `number unit` parts
    /// (`"5s"`, `"100 ms"`, `"1h30m"`), with optional whitespace anywhere between parts.
    public static func seconds(from text: String) -> Double? {
        let bytes = Array(text.utf8)
        var index = 0
        var total = 0.0
        var parts = 0
        var sawBareNumber = false

        func skipSpace() {
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        }

        skipSpace()
        while index < bytes.count {
            guard !sawBareNumber, let value = number(in: bytes, at: &index) else { return nil }
            skipSpace()
            let unitStart = index
            while index < bytes.count, isLetter(bytes[index]) { index += 1 }
            if index == unitStart {
                // A number without a unit is seconds, but only on its own.
                guard parts == 0 else { return nil }
                sawBareNumber = true
                total = value
            } else {
                let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self).lowercased()
                guard let scale = units[unit] else { return nil }
                total += value * scale
            }
            parts += 1
            skipSpace()
        }
        guard parts > 0, total.isFinite, total >= 0 else { return nil }
        return total
    }

    /// Parses `digits [. digits]` or `. digits` at `index`.
    private static func number(in bytes: [UInt8], at index: inout Int) -> Double? {
        let start = index
        var digits = 0
        while index < bytes.count, isDigit(bytes[index]) { index += 1; digits += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, isDigit(bytes[index]) { index += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        var text = String(decoding: bytes[start..<index], as: UTF8.self)
        // Double("1.") and Double(".5") are platform-dependent; pad to be sure.
        if text.hasPrefix(".") { text = "0" + text }
        if text.hasSuffix(".") { text += "0" }
        return Double(text)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
