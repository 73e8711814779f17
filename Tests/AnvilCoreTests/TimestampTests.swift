import Foundation
import Testing
@testable import AnvilCore

/// 2026-11-29T17:36:26.291570Z, the instant in the wire doc's examples.
private let example: Int64 = 1_795_973_786_291_570
/// 2026-11-29T00:00:00Z.
private let exampleMidnight: Int64 = 1_795_910_400_000_000

@Suite("Timestamp: ISO-8601")
struct TimestampISO8601Tests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var micros: Int64
        init(_ text: String, _ micros: Int64) {
            self.text = text
            self.micros = micros
        }
        var testDescription: String { text }
    }

    /// Every form the SDKs (Python `datetime.isoformat()`, JS `toISOString()`, naive datetimes) send.
    static let accepted: [Case] = [
        Case("2026-11-29T17:36:26.291570+00:00", example),
        Case("2026-11-29T17:36:26.291570Z", example),
        Case("2026-11-29T17:36:26.291570z", example),
        Case("2026-11-29t17:36:26.291570Z", example),
        Case("2026-11-29T17:36:26.291570", example),
        Case("2026-11-29 17:36:26.291570", example),
        Case("2026-11-29 17:36:26.291570+00:00", example),
        Case("2026-11-29T17:36:26.291570-00:00", example),
        Case("2026-11-29T17:36:26,291570Z", example),
        Case("2026-11-29T17:36:26Z", example - 291_570),
        Case("2026-11-29T17:36:26", example - 291_570),
        Case("2026-11-29T17:36:26.2Z", example - 91_570),
        Case("2026-11-29T17:36:26.29Z", example - 1_570),
        Case("2026-11-29T17:36:26.291Z", example - 570),
        Case("2026-11-29T17:36:26.2915Z", example - 70),
        Case("2026-11-29T17:36:26.29157Z", example),
        Case("2026-11-29T17:36:26.2915701Z", example),
        Case("2026-11-29T17:36:26.29157099Z", example),
        Case("2026-11-29T17:36:26.291570999Z", example),
        Case("2026-11-29T17:36:26.000000001Z", example - 291_570),
        Case("2026-11-29T17:36Z", example - 26_291_570),
        Case("2026-11-29T17:36", example - 26_291_570),
        Case("2026-11-29T19:36:26.291570+02:00", example),
        Case("2026-11-29T19:36:26.291570+0200", example),
        Case("2026-11-29T19:36:26.291570+02", example),
        Case("2026-11-29T12:06:26.291570-05:30", example),
        Case("2026-11-30T03:06:26.291570+09:30", example),
        Case("2026-11-29T17:36:26.291570+23:59", example - (23 * 3600 + 59 * 60) * 1_000_000),
        Case("2026-11-29", exampleMidnight),
        Case("2026-11-29T00:00:00", exampleMidnight),
        Case("2026-11-29T23:59:60Z", exampleMidnight + 86_400_000_000),  // a leap second rolls over
        Case("1970-01-01T00:00:00Z", 0),
        Case("1970-01-01", 0),
        Case("1969-12-31T23:59:59.999999Z", -1),
        Case("1969-07-20T20:17:40Z", -14_182_940_000_000),
        Case("1900-01-01T00:00:00+00:00", -2_208_988_800_000_000),
        Case("0001-01-01T00:00:00Z", -62_135_596_800_000_000),
        Case("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
        Case("2024-02-29T12:00:00.5Z", 1_709_208_000_500_000),
        Case("2000-02-29", 951_782_400_000_000),
        Case("1600-02-29", -11_670_998_400_000_000),
    ]

    @Test("parses", arguments: accepted)
    func parses(_ c: Case) throws {
        let t = try #require(Timestamp(iso8601: c.text))
        #expect(t.microseconds == c.micros)
    }

    static let rejected = [
        "", "garbage", "2026", "2026-11", "2026-11-", "2026/11/29", "26-11-29", "2026-1-29", "2026-11-9",
        "20261129", "2026-13-01", "2026-00-10", "2026-11-00", "2026-11-31", "2026-04-31", "2026-06-31",
        "2026-09-31", "2026-01-32", "2023-02-29", "1900-02-29", "2100-02-29", "2024-02-30",
        "2026-11-29T", "2026-11-29T17", "2026-11-29T17:", "2026-11-29T7:36:26Z", "2026-11-29T24:00:00Z",
        "2026-11-29T17:60:00Z", "2026-11-29T17:36:61Z", "2026-11-29T17:36:6Z", "2026-11-29T17:36:26.Z",
        "2026-11-29T17:36:26.", "2026-11-29T17:36:26.123X", "2026-11-29T17:36:26+25:00",
        "2026-11-29T17:36:26+24:00", "2026-11-29T17:36:26+02:60", "2026-11-29T17:36:26+02:",
        "2026-11-29T17:36:26+2", "2026-11-29T17:36:26+", "2026-11-29T17:36:26ZZ", "2026-11-29T17:36:26Z ",
        " 2026-11-29", "2026-11-29 ", "2026-11-29X17:36:26", "2026-11-29T17:36:26 Z",
        "2026-11-29T17:36:26.291570+00:00extra", "２０２６-11-29", "-2026-11-29", "+2026-11-29",
        "2026-11-29T17:36:26.291570+00:00:00", "2026-11-29T17h36", "1714564800",
    ]

    @Test("rejects", arguments: rejected)
    func rejects(_ text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test("formats in UTC with microseconds", arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000+00:00"),
        (-1, "1969-12-31T23:59:59.999999+00:00"),
        (example, "2026-11-29T17:36:26.291570+00:00"),
        (1_709_208_000_500_000, "2024-02-29T12:00:00.500000+00:00"),
        (-14_182_940_000_000, "1969-07-20T20:17:40.000000+00:00"),
        (-62_135_596_800_000_000, "0001-01-01T00:00:00.000000+00:00"),
        (253_402_300_799_999_999, "9999-12-31T23:59:59.999999+00:00"),
        // Past year 9999 the year keeps all its digits instead of wrapping to "0000".
        (253_402_300_800_000_000, "10000-01-01T00:00:00.000000+00:00"),
    ])
    func formats(_ micros: Int64, _ expected: String) {
        let t = Timestamp(microseconds: micros)
        #expect(t.iso8601 == expected)
        #expect(t.description == expected)
    }

    /// Instants from year 0001 to 9999.
    static func randomMicros(_ rng: inout SplitMix64) -> Int64 {
        Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &rng)
    }

    @Test("iso8601 and dottedOrderStamp round-trip for random instants")
    func roundTrip() throws {
        var rng = SplitMix64(seed: 2026)
        var previous: (Timestamp, String)?
        for _ in 0..<5000 {
            let t = Timestamp(microseconds: Self.randomMicros(&rng))
            #expect(Timestamp(iso8601: t.iso8601) == t, "\(t.microseconds)")
            let stamp = t.dottedOrderStamp
            #expect(Timestamp(dottedOrderStamp: Substring(stamp)) == t, "\(t.microseconds)")
            // Lexicographic order of stamps is time order: what makes dotted orders sortable.
            if let (p, ps) = previous {
                #expect((p < t) == (ps < stamp), "\(p.microseconds) vs \(t.microseconds)")
            }
            previous = (t, stamp)
        }
    }

    @Test("leap years")
    func leapYears() throws {
        func at(_ s: String) throws -> Int64 { try #require(Timestamp(iso8601: s)).microseconds }
        let day: Int64 = 86_400_000_000
        #expect(try at("2024-03-01") - at("2024-02-28") == 2 * day)
        #expect(try at("2023-03-01") - at("2023-02-28") == day)
        #expect(try at("2025-01-01") - at("2024-01-01") == 366 * day)
        #expect(try at("2024-01-01") - at("2023-01-01") == 365 * day)
        #expect(try at("1901-01-01") - at("1900-01-01") == 365 * day)
        #expect(try at("2001-01-01") - at("2000-01-01") == 366 * day)
        #expect(try at("2000-03-01") - at("2000-02-29") == day)
        #expect(Timestamp(microseconds: try at("2024-02-29") + day - 1).iso8601 == "2024-02-29T23:59:59.999999+00:00")
        #expect(Timestamp(microseconds: try at("2024-02-29") + day).iso8601 == "2024-03-01T00:00:00.000000+00:00")
    }

    @Test("Date conversion, arithmetic and Codable")
    func conversions() throws {
        let t = Timestamp(microseconds: example)
        #expect(Timestamp(t.date) == t)
        #expect(Timestamp(Date(timeIntervalSince1970: 1.5)).microseconds == 1_500_000)
        #expect(t.seconds == 1_795_973_786.29157)
        #expect(t.adding(seconds: 1.5).microseconds == example + 1_500_000)
        #expect(t.adding(seconds: -0.25).microseconds == example - 250_000)
        #expect(Timestamp(microseconds: 1) > Timestamp(microseconds: 0))
        let data = try JSONEncoder().encode([t])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-11-29T17:36:26.291570+00:00"]"#)
        #expect(try JSONDecoder().decode([Timestamp].self, from: Data(#"["2026-11-29T17:36:26.291570Z"]"#.utf8)) == [t])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Timestamp].self, from: Data(#"["2026-02-30"]"#.utf8))
        }
    }
}

@Suite("Timestamp: dotted-order stamps")
struct TimestampDottedStampTests {
    @Test("formats the compact form")
    func formats() {
        #expect(Timestamp(microseconds: example).dottedOrderStamp == "20261129T173626291570Z")
        #expect(Timestamp(microseconds: 0).dottedOrderStamp == "19700101T000000000000Z")
        #expect(Timestamp(microseconds: -1).dottedOrderStamp == "19691231T235959999999Z")
        #expect(Timestamp(microseconds: 253_402_300_799_999_999).dottedOrderStamp == "99991231T235959999999Z")
    }

    @Test("is what printf's %04lld…%06lld formatting gives, years outside 0…9999 included")
    func matchesPrintf() {
        var rng = SplitMix64(seed: 17)
        for _ in 0..<3000 {
            let t = Timestamp(microseconds: Int64.random(in: -300_000_000_000_000_000...400_000_000_000_000_000, using: &rng))
            let (days, micros) = t.microseconds.floorDivided(by: 86_400_000_000)
            let (y, m, d) = Timestamp.civil(fromDays: days)
            let s = micros / 1_000_000
            let printf = String(
                format: "%04lld%02lld%02lldT%02lld%02lld%02lld%06lldZ", y, m, d, s / 3600, s / 60 % 60, s % 60, micros % 1_000_000)
            #expect(t.dottedOrderStamp == printf, "\(t.microseconds)")
        }
    }

    @Test("parses the compact form")
    func parses() {
        #expect(Timestamp(dottedOrderStamp: "20261129T173626291570Z")?.microseconds == example)
        #expect(Timestamp(dottedOrderStamp: "19691231T235959999999Z")?.microseconds == -1)
        #expect(Timestamp(dottedOrderStamp: "20240229T000000000000Z") != nil)
    }

    @Test("rejects malformed stamps", arguments: [
        "", "20261129T173626291570", "20261129T17362629157Z", "20261129T1736262915700Z",
        "20261129 173626291570Z", "20261129T173626291570z", "2026112XT173626291570Z", "20261129T17362629157AZ",
        "20261329T173626291570Z", "20261100T173626291570Z", "20261131T173626291570Z", "20230229T000000000000Z",
        "20261129T243626291570Z", "20261129T176026291570Z", "20261129T173661291570Z", "2026-11-29T17:36:26Z",
        "-0261129T173626291570Z",
    ])
    func rejects(_ text: String) {
        #expect(Timestamp(dottedOrderStamp: Substring(text)) == nil)
    }
}
