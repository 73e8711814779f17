/// An instant written in a filter, e.g. `gt(start_time, "2023-07-15T12:34:56Z")`.
///
/// Parsed by hand with integer arithmetic so that microseconds survive exactly (a `Date` is a
/// `Double` and would round them). The parser returns timestamp literals in the canonical
/// ``iso8601`` form, so backends can compare or re-parse them without knowing what the user typed.
public struct FilterTimestamp: Sendable, Hashable, Comparable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// Parses an ISO-8601 / RFC 3339 date or date-time:
    ///
    /// `YYYY-MM-DD`, optionally followed by `T` (or `t`, or a space) and `HH:MM`, `HH:MM:SS` or
    /// `HH:MM:SS.fraction` (1–9 digits, `.` or `,`; digits past microseconds are truncated),
    /// optionally followed by `Z`, `±HH:MM`, `±HHMM` or `±HH`. Without a zone the time is UTC,
    /// which is how the LangSmith SDKs send naive datetimes. Calendar ranges are checked
    /// (no February 30th, no hour 24, no leap second); the instant must lie in years 1–9999.
    public init?(iso8601 text: String) {
        var scanner = Scanner(bytes: Array(text.utf8))
        guard let year = scanner.digits(4), scanner.take("-"),
              let month = scanner.digits(2), scanner.take("-"),
              let day = scanner.digits(2),
              (1...12).contains(month), year >= 1,
              (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }

        var seconds: Int64 = 0
        var micros: Int64 = 0
        if scanner.take("T") || scanner.take("t") || scanner.take(" ") {
            guard let hour = scanner.digits(2), scanner.take(":"),
                  let minute = scanner.digits(2),
                  hour < 24, minute < 60
            else { return nil }
            var second = 0
            if scanner.take(":") {
                guard let value = scanner.digits(2), value < 60 else { return nil }
                second = value
                if scanner.take(".") || scanner.take(",") {
                    guard let fraction = scanner.fractionMicroseconds() else { return nil }
                    micros = fraction
                }
            }
            seconds = Int64(hour * 3600 + minute * 60 + second)
            guard let offset = scanner.zoneOffsetSeconds() else { return nil }
            seconds -= offset
        }
        guard scanner.isAtEnd else { return nil }

        let total = Self.daysFromCivil(year: year, month: month, day: day) * 86_400 + seconds
        let value = total * 1_000_000 + micros
        guard (Self.minimum...Self.maximum).contains(value) else { return nil }
        self.microsecondsSinceEpoch = value
    }

    /// Canonical form: UTC, six fractional digits, `Z` — e.g. `2023-07-15T12:34:56.000000Z`.
    /// Fixed width, so these strings also sort chronologically.
    public var iso8601: String {
        let micros = microsecondsSinceEpoch
        let (days, secondOfDay) = Self.floorDivide(Self.floorDivide(micros, 1_000_000).quotient, 86_400)
        let fraction = Self.floorDivide(micros, 1_000_000).remainder
        let (year, month, day) = Self.civilFromDays(days)
        return "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))"
            + "T\(Self.pad(secondOfDay / 3600, 2)):\(Self.pad(secondOfDay / 60 % 60, 2))"
            + ":\(Self.pad(secondOfDay % 60, 2)).\(Self.pad(fraction, 6))Z"
    }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z.
    static let minimum: Int64 = daysFromCivil(year: 1, month: 1, day: 1) * 86_400_000_000
    static let maximum: Int64 = (daysFromCivil(year: 10_000, month: 1, day: 1) * 86_400_000_000) - 1

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = ((a % b) + b) % b
        return ((a - remainder) / b, remainder)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// A cursor over the UTF-8 of a timestamp.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { index == bytes.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// Exactly `count` ASCII digits as an integer.
        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }

        /// 1–9 fraction digits, truncated to microseconds.
        mutating func fractionMicroseconds() -> Int64? {
            var micros: Int64 = 0
            var count = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                if count < 6 { micros = micros * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
                count += 1
                index += 1
            }
            guard (1...9).contains(count) else { return nil }
            for _ in count..<max(count, 6) { micros *= 10 }
            return micros
        }

        /// The zone's offset east of UTC in seconds; 0 when there is none or it is `Z`.
        mutating func zoneOffsetSeconds() -> Int64? {
            if isAtEnd { return 0 }
            if take("Z") || take("z") { return 0 }
            let sign: Int64
            if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
            guard let hours = digits(2), hours < 24 else { return nil }
            var minutes = 0
            if take(":") {
                guard let value = digits(2) else { return nil }
                minutes = value
            } else if !isAtEnd {
                guard let value = digits(2) else { return nil }
                minutes = value
            }
            guard minutes < 60 else { return nil }
            return sign * Int64(hours * 3600 + minutes * 60)
        }
    }
}
