/// One token of filter text; `offset` is the UTF-8 offset of its first byte.
struct FilterToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case leftParen, rightParen, leftBracket, rightBracket, comma
        case identifier(String)
        case string(String)
        case number(Double)
        case end
    }

    var kind: Kind
    var offset: Int
}

/// Splits filter text into tokens on demand, so the first error in reading order wins.
///
/// Works on UTF-8 bytes: offsets in errors are byte offsets, and everything outside string
/// literals is ASCII. Every loop advances `index`, so the lexer always terminates.
struct FilterLexer {
    private let bytes: [UInt8]
    private var index = 0
    private var lookahead: FilterToken?

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next token without consuming it.
    mutating func peek() throws(FilterSyntaxError) -> FilterToken {
        if let lookahead { return lookahead }
        let token = try scan()
        lookahead = token
        return token
    }

    /// Consumes and returns the next token.
    mutating func next() throws(FilterSyntaxError) -> FilterToken {
        let token = try peek()
        lookahead = nil
        return token
    }

    private mutating func scan() throws(FilterSyntaxError) -> FilterToken {
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        let start = index
        guard index < bytes.count else { return FilterToken(kind: .end, offset: start) }
        let byte = bytes[index]
        switch byte {
        case UInt8(ascii: "("): index += 1; return FilterToken(kind: .leftParen, offset: start)
        case UInt8(ascii: ")"): index += 1; return FilterToken(kind: .rightParen, offset: start)
        case UInt8(ascii: "["): index += 1; return FilterToken(kind: .leftBracket, offset: start)
        case UInt8(ascii: "]"): index += 1; return FilterToken(kind: .rightBracket, offset: start)
        case UInt8(ascii: ","): index += 1; return FilterToken(kind: .comma, offset: start)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return FilterToken(kind: .string(try scanString()), offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return FilterToken(kind: .number(try scanNumber()), offset: start)
        case _ where Self.isIdentifierStart(byte):
            while index < bytes.count, Self.isIdentifierContinue(bytes[index]) { index += 1 }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            return FilterToken(kind: .identifier(name), offset: start)
        default:
            throw unexpectedCharacter(at: start)
        }
    }

    // MARK: Strings

    /// Reads a single- or double-quoted string. Escapes are JSON's (`\" \\ \/ \b \f \n \r \t
    /// \uXXXX`, surrogate pairs combined) plus `\'`. Any other backslash is kept as written, so
    /// LIKE patterns such as `"100\%"` reach the LIKE operator with their escape intact.
    private mutating func scanString() throws(FilterSyntaxError) -> String {
        let open = index
        let quote = bytes[index]
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                out.append(byte)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                let scalar = try scanUnicodeEscape()
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
                continue
            default:
                out.append(byte)
                index += 1
                continue
            }
            index += 2
        }
        let quoteCharacter = quote == UInt8(ascii: "'") ? "'" : "\""
        throw FilterSyntaxError(
            .unterminatedString,
            "the string that starts here has no closing \(quoteCharacter); "
                + "add one, and write \\\(quoteCharacter) for a quote inside the string",
            at: open
        )
    }

    /// Reads `\uXXXX` (and a following `\uXXXX` low surrogate when the first is a high one).
    private mutating func scanUnicodeEscape() throws(FilterSyntaxError) -> Unicode.Scalar {
        let start = index
        func invalid() -> FilterSyntaxError {
            FilterSyntaxError(
                .invalidEscape,
                "invalid \\u escape; write \\u followed by four hex digits (e.g. \\u00e9), "
                    + "with surrogate pairs for characters beyond U+FFFF",
                at: start
            )
        }
        guard let high = hexQuad(at: index + 2) else { throw invalid() }
        index += 6
        if (0xD800...0xDBFF).contains(high) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                  bytes[index + 1] == UInt8(ascii: "u"),
                  let low = hexQuad(at: index + 2), (0xDC00...0xDFFF).contains(low)
            else { throw invalid() }
            index += 6
            let combined = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            guard let scalar = Unicode.Scalar(combined) else { throw invalid() }
            return scalar
        }
        guard let scalar = Unicode.Scalar(high) else { throw invalid() }
        return scalar
    }

    private func hexQuad(at position: Int) -> UInt32? {
        guard position >= 0, position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[position..<position + 4] {
            guard let digit = Self.hexValue(byte) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    // MARK: Numbers

    /// Reads `[+-] (digits [. digits] | . digits) [(e|E) [+-] digits]`.
    private mutating func scanNumber() throws(FilterSyntaxError) -> Double {
        let start = index
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        let integerDigits = skipDigits()
        var fractionDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fractionDigits = skipDigits()
        }
        guard integerDigits + fractionDigits > 0 else {
            throw FilterSyntaxError(
                .invalidNumber,
                "expected a number here, such as 5, -2.5 or 1e3",
                at: start
            )
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
            guard skipDigits() > 0 else {
                throw FilterSyntaxError(
                    .invalidNumber,
                    "the exponent of this number has no digits; write e.g. 1e3 or 2.5E-2",
                    at: start
                )
            }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if index < bytes.count, Self.isIdentifierContinue(bytes[index]) || bytes[index] == UInt8(ascii: ".") {
            var end = index
            while end < bytes.count, Self.isIdentifierContinue(bytes[end]) || bytes[end] == UInt8(ascii: ".") {
                end += 1
            }
            let whole = FilterSyntaxError.excerpt(String(decoding: bytes[start..<end], as: UTF8.self))
            throw FilterSyntaxError(
                .invalidNumber,
                "'\(whole)' is not a number; durations and other text go in quotes, e.g. \"\(whole)\"",
                at: start
            )
        }
        guard let value = Double(Self.padded(text)), value.isFinite else {
            throw FilterSyntaxError(
                .invalidNumber,
                "the number \(text) is too large; numbers must be finite double-precision values",
                at: start
            )
        }
        return value
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            index += 1
        }
        return index - start
    }

    /// `Double(_:)` is stricter than the grammar about `1.`, `.5` and `+1`; normalise them.
    private static func padded(_ text: String) -> String {
        var digits = Substring(text)
        var sign = ""
        if let first = digits.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            digits = digits.dropFirst()
        }
        var result = String(digits)
        if result.hasPrefix(".") { result = "0" + result }
        if let dot = result.firstIndex(of: ".") {
            let after = result.index(after: dot)
            if after == result.endIndex || !result[after].isASCII || !result[after].isNumber {
                result.insert("0", at: after)
            }
        }
        return sign + result
    }

    // MARK: Characters

    private func unexpectedCharacter(at offset: Int) -> FilterSyntaxError {
        let character = String(decoding: bytes[offset..<min(offset + 4, bytes.count)], as: UTF8.self)
            .unicodeScalars.first.map { String($0) } ?? "?"
        let message: String
        switch character {
        case "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}":
            message = "curly quote \(character) is not a string delimiter; use straight quotes \" or '"
        case "`":
            message = "backticks do not quote strings here; use \" or '"
        default:
            message = "unexpected character '\(character)'; filters are made of calls such as "
                + "eq(field, \"value\"), quoted strings, numbers, true, false, null and [lists]"
        }
        return FilterSyntaxError(.unexpectedCharacter, message, at: offset)
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
    }

    static func isIdentifierContinue(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
