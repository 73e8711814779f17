/// A malformed CSV document: what is wrong and the 1-based line it was found on.
public struct CSVError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var line: Int

    public init(message: String, line: Int) {
        self.message = message
        self.line = line
    }

    public var description: String { "line \(line): \(message)" }
}

/// RFC 4180 CSV, for dataset upload (CSV → examples) and export.
public enum CSV {
    /// Parses RFC 4180 CSV: comma separator, `""` escapes inside quoted fields, quoted fields may
    /// contain commas/CR/LF, CRLF or LF (or a lone CR) line endings, optional UTF-8 BOM stripped.
    /// A trailing newline does not make an empty row, and blank lines are skipped (a row holding one
    /// empty field is written `""`, see ``write(_:)``).
    /// Rejects a quote in an unquoted field, text after a closing quote, an unterminated quote and
    /// invalid UTF-8, naming the line.
    public static func parse(_ bytes: [UInt8]) throws(CSVError) -> [[String]] {
        try rows(bytes).map(\.fields)
    }

    /// Parses with the first row as the header; every other row becomes a `[header: value]`
    /// dictionary. A row with a different field count, or a repeated header name, is an error
    /// naming its line. Empty input gives an empty header and no rows.
    public static func records(_ bytes: [UInt8]) throws(CSVError) -> (header: [String], rows: [[String: String]]) {
        let parsed = try rows(bytes)
        guard let header = parsed.first else { return ([], []) }
        var seen = Set<String>()
        for name in header.fields where !seen.insert(name).inserted {
            throw CSVError(message: "the header repeats the column name '\(name)'", line: header.line)
        }
        var records: [[String: String]] = []
        records.reserveCapacity(parsed.count - 1)
        for row in parsed.dropFirst() {
            guard row.fields.count == header.fields.count else {
                throw CSVError(
                    message: "the row has \(row.fields.count) field\(row.fields.count == 1 ? "" : "s") but the header has \(header.fields.count)",
                    line: row.line)
            }
            var record: [String: String] = [:]
            record.reserveCapacity(header.fields.count)
            for (name, value) in zip(header.fields, row.fields) { record[name] = value }
            records.append(record)
        }
        return (header.fields, records)
    }

    /// Writes rows with CRLF line endings (after every row, the last included), quoting fields that
    /// contain `,` `"` CR LF or leading/trailing whitespace, so ``parse(_:)`` gives the rows back.
    public static func write(_ rows: [[String]]) -> String {
        var out: [UInt8] = []
        for row in rows {
            for (i, field) in row.enumerated() {
                if i > 0 { out.append(.comma) }
                // A lone empty field would otherwise be a blank line, and a leading U+FEFF a BOM.
                let ambiguous = row.count == 1 && field.isEmpty || out.isEmpty && field.hasPrefix("\u{FEFF}")
                if ambiguous || needsQuotes(field) {
                    out.append(.quote)
                    for byte in field.utf8 {
                        if byte == .quote { out.append(.quote) }
                        out.append(byte)
                    }
                    out.append(.quote)
                } else {
                    out.append(contentsOf: field.utf8)
                }
            }
            out.append(.cr)
            out.append(.lf)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsQuotes(_ field: String) -> Bool {
        let utf8 = field.utf8
        if let first = utf8.first, first == .space || first == .tab { return true }
        if let last = utf8.last, last == .space || last == .tab { return true }
        return utf8.contains { $0 == .comma || $0 == .quote || $0 == .cr || $0 == .lf }
    }

    /// The rows, each with the line it starts on.
    static func rows(_ bytes: [UInt8]) throws(CSVError) -> [(line: Int, fields: [String])] {
        let result: Result<[(line: Int, fields: [String])], CSVError> = bytes.withUnsafeBufferPointer { buffer in
            var reader = CSVReader(buffer)
            do throws(CSVError) {
                return .success(try reader.readAll())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// A byte-level RFC 4180 reader. Only valid while its buffer is.
private struct CSVReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var line = 1
    /// Unescaped bytes of a quoted field that contains `""`.
    var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
    }

    mutating func readAll() throws(CSVError) -> [(line: Int, fields: [String])] {
        var rows: [(line: Int, fields: [String])] = []
        let end = bytes.count
        while index < end {
            if skipNewline() { continue }  // a blank line
            let start = line
            var fields: [String] = []
            while true {
                fields.append(try field())
                guard index < end else { break }
                if bytes[index] == .comma {
                    index += 1  // then a field, empty if the input ends here ("a,b,")
                    continue
                }
                _ = skipNewline()
                break
            }
            rows.append((start, fields))
        }
        return rows
    }

    /// Consumes one CRLF, LF or CR and counts the line.
    private mutating func skipNewline() -> Bool {
        switch bytes[index] {
        case .lf:
            index += 1
        case .cr:
            index += 1
            if index < bytes.count, bytes[index] == .lf { index += 1 }
        default:
            return false
        }
        line += 1
        return true
    }

    /// One field, leaving `index` on the separator, the line ending or the end.
    private mutating func field() throws(CSVError) -> String {
        let end = bytes.count
        guard index < end, bytes[index] == .quote else {
            let start = index
            while index < end {
                let byte = bytes[index]
                if byte == .comma || byte == .lf || byte == .cr { break }
                if byte == .quote {
                    throw CSVError(message: "a quote inside an unquoted field (quote the whole field and double the quote)", line: line)
                }
                index += 1
            }
            return try string(start..<index, line: line)
        }

        let opened = line
        index += 1
        var start = index
        var escaped = false
        while true {
            guard index < end else {
                throw CSVError(message: "a quoted field is never closed", line: opened)
            }
            let byte = bytes[index]
            if byte == .quote {
                if index + 1 < end, bytes[index + 1] == .quote {
                    if !escaped { scratch.removeAll(keepingCapacity: true) }
                    escaped = true
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...index]))
                    index += 2
                    start = index
                    continue
                }
                break
            }
            if byte == .lf || byte == .cr && !(index + 1 < end && bytes[index + 1] == .lf) { line += 1 }
            index += 1
        }
        let value: String
        if escaped {
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
            guard let s = String(validating: scratch, as: UTF8.self) else {
                throw CSVError(message: "the text is not valid UTF-8", line: opened)
            }
            value = s
        } else {
            value = try string(start..<index, line: opened)
        }
        index += 1  // the closing quote
        if index < end, bytes[index] != .comma, bytes[index] != .lf, bytes[index] != .cr {
            throw CSVError(message: "text after the closing quote of a field", line: line)
        }
        return value
    }

    /// The field's text; `line` is where the field starts.
    private func string(_ range: Range<Int>, line: Int) throws(CSVError) -> String {
        if range.isEmpty { return "" }
        guard let s = String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
            throw CSVError(message: "the text is not valid UTF-8", line: line)
        }
        return s
    }
}

extension UInt8 {
    fileprivate static let comma = UInt8(ascii: ",")
    fileprivate static let quote = UInt8(ascii: "\"")
    fileprivate static let cr = UInt8(ascii: "\r")
    fileprivate static let lf = UInt8(ascii: "\n")
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let tab = UInt8(ascii: "\t")
}
