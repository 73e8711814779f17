/// Parses LangSmith's run-filter language into a checked ``FilterExpression``.
///
/// Grammar (whitespace allowed between any two tokens; names are ASCII-case-insensitive):
///
/// ```
/// filter    = call
/// call      = IDENT "(" [ argument { "," argument } ] ")"
/// argument  = call | IDENT | literal | list
/// list      = "[" [ scalar { "," scalar } ] "]"
/// literal   = scalar
/// scalar    = STRING | NUMBER | "true" | "false" | "null"
/// IDENT     = [A-Za-z_][A-Za-z0-9_]*
/// STRING    = '…' | "…"         with JSON escapes plus \' (see FilterLexer)
/// NUMBER    = [+-] (digits [. digits] | . digits) [ (e|E) [+-] digits ]
/// ```
///
/// The calls are `and(c, …)`, `or(c, …)` (one or more conditions), `not(c)`, and the
/// comparisons of ``FilterOperator`` as `op(field, value)`, plus `search("text")`. Syntax is
/// checked first, over the whole input; then meaning (operators, fields, values), so an
/// unbalanced parenthesis is reported before an unknown field.
///
/// The parser is total: on any input it returns or throws ``FilterSyntaxError``. Recursion is
/// bounded by ``maximumDepth`` and work by ``maximumSourceLength``.
public enum FilterParser {
    /// The longest accepted filter, in UTF-8 bytes (64 KiB).
    public static let maximumSourceLength = 65_536
    /// The deepest accepted nesting of calls and lists; the top-level call is depth 1.
    public static let maximumDepth = 64

    /// Parses and checks `source`. Callers treat an empty or all-whitespace filter as "no
    /// filter" before calling; here it is an error.
    public static func parse(_ source: String) throws(FilterSyntaxError) -> FilterExpression {
        guard source.utf8.count <= maximumSourceLength else {
            throw FilterSyntaxError(
                .tooLong,
                "the filter is longer than \(maximumSourceLength) bytes; split it into simpler queries",
                at: maximumSourceLength
            )
        }
        var parser = FilterSyntaxParser(bytes: Array(source.utf8))
        let call = try parser.parseFilter()
        return try FilterAnalyzer.expression(call)
    }
}

/// A call as written, before its meaning is checked.
struct FilterSyntaxCall {
    var name: String
    var nameOffset: Int
    var arguments: [FilterSyntaxArgument]
    /// Offset of the closing `)`, where missing arguments are reported.
    var closeOffset: Int
}

/// One argument as written.
enum FilterSyntaxArgument {
    case call(FilterSyntaxCall)
    case identifier(String, offset: Int)
    case literal(FilterLiteral, offset: Int)
    case list([(value: FilterLiteral, offset: Int)], offset: Int)

    var offset: Int {
        switch self {
        case .call(let call): call.nameOffset
        case .identifier(_, let offset), .literal(_, let offset), .list(_, let offset): offset
        }
    }
}

/// Recursive-descent parser from tokens to ``FilterSyntaxCall``.
struct FilterSyntaxParser {
    private var lexer: FilterLexer

    init(bytes: [UInt8]) {
        lexer = FilterLexer(bytes: bytes)
    }

    mutating func parseFilter() throws(FilterSyntaxError) -> FilterSyntaxCall {
        let first = try lexer.next()
        switch first.kind {
        case .identifier:
            break
        case .end:
            throw FilterSyntaxError(
                .emptyFilter,
                "the filter is empty; write a condition such as eq(name, \"my_chain\")",
                at: first.offset
            )
        default:
            throw FilterSyntaxError(
                .unexpectedToken,
                "a filter is a function call such as eq(name, \"my_chain\") or and(…, …)",
                at: first.offset
            )
        }
        let call = try parseCall(named: first, depth: 1)
        let trailing = try lexer.next()
        switch trailing.kind {
        case .end:
            return call
        case .rightParen:
            throw FilterSyntaxError(
                .trailingInput, "unbalanced ')': there is no '(' for it to close", at: trailing.offset
            )
        case .comma, .identifier:
            throw FilterSyntaxError(
                .trailingInput,
                "unexpected text after the end of the filter; to combine conditions write "
                    + "and(first, second) or or(first, second)",
                at: trailing.offset
            )
        default:
            throw FilterSyntaxError(
                .trailingInput, "unexpected text after the end of the filter", at: trailing.offset
            )
        }
    }

    /// Parses `( arguments )` after the already-consumed name.
    private mutating func parseCall(named nameToken: FilterToken, depth: Int) throws(FilterSyntaxError) -> FilterSyntaxCall {
        guard case .identifier(let name) = nameToken.kind else {
            throw FilterSyntaxError(.unexpectedToken, "expected a function name", at: nameToken.offset)
        }
        let open = try lexer.next()
        guard open.kind == .leftParen else {
            let message = FilterField(name: name).map {
                "'\(FilterSyntaxError.excerpt(name))' is a field; a condition starts with an operator, e.g. eq(\($0.name), …)"
            } ?? "expected '(' after '\(FilterSyntaxError.excerpt(name))'; conditions are written like eq(field, value)"
            throw FilterSyntaxError(.unexpectedToken, message, at: open.offset)
        }
        guard depth <= FilterParser.maximumDepth else {
            throw FilterSyntaxError(
                .tooDeep,
                "the filter nests more than \(FilterParser.maximumDepth) levels deep; simplify it",
                at: nameToken.offset
            )
        }
        var arguments: [FilterSyntaxArgument] = []
        if case .rightParen = try lexer.peek().kind {
            let close = try lexer.next()
            return FilterSyntaxCall(name: name, nameOffset: nameToken.offset, arguments: [], closeOffset: close.offset)
        }
        while true {
            arguments.append(try parseArgument(of: name, openedAt: open.offset, depth: depth))
            let separator = try lexer.next()
            switch separator.kind {
            case .comma:
                if case .rightParen = try lexer.peek().kind {
                    throw FilterSyntaxError(
                        .unexpectedToken, "remove the trailing ',' before ')'", at: separator.offset
                    )
                }
            case .rightParen:
                return FilterSyntaxCall(
                    name: name, nameOffset: nameToken.offset, arguments: arguments, closeOffset: separator.offset
                )
            case .end:
                throw unclosed(name, openedAt: open.offset, at: separator.offset)
            default:
                throw FilterSyntaxError(
                    .unexpectedToken,
                    "expected ',' or ')' after an argument of \(name)(…)",
                    at: separator.offset
                )
            }
        }
    }

    private mutating func parseArgument(
        of name: String, openedAt open: Int, depth: Int
    ) throws(FilterSyntaxError) -> FilterSyntaxArgument {
        let token = try lexer.next()
        switch token.kind {
        case .identifier(let word):
            if case .leftParen = try lexer.peek().kind {
                return .call(try parseCall(named: token, depth: depth + 1))
            }
            if let keyword = Self.keyword(word) { return .literal(keyword, offset: token.offset) }
            return .identifier(word, offset: token.offset)
        case .string(let text):
            return .literal(.string(text), offset: token.offset)
        case .number(let number):
            return .literal(.number(number), offset: token.offset)
        case .leftBracket:
            return try parseList(openedBy: token, depth: depth + 1)
        case .end:
            throw unclosed(name, openedAt: open, at: token.offset)
        case .rightBracket:
            throw FilterSyntaxError(.unexpectedToken, "unbalanced ']': there is no '[' for it to close", at: token.offset)
        case .comma, .rightParen, .leftParen:
            throw FilterSyntaxError(
                .unexpectedToken,
                "expected an argument of \(name)(…) here: a field, a value or a condition",
                at: token.offset
            )
        }
    }

    /// Parses the rest of `[ scalar, … ]` after the consumed `[`.
    private mutating func parseList(openedBy open: FilterToken, depth: Int) throws(FilterSyntaxError) -> FilterSyntaxArgument {
        guard depth <= FilterParser.maximumDepth else {
            throw FilterSyntaxError(
                .tooDeep,
                "the filter nests more than \(FilterParser.maximumDepth) levels deep; simplify it",
                at: open.offset
            )
        }
        var items: [(value: FilterLiteral, offset: Int)] = []
        if case .rightBracket = try lexer.peek().kind {
            _ = try lexer.next()
            return .list(items, offset: open.offset)
        }
        while true {
            let token = try lexer.next()
            switch token.kind {
            case .string(let text): items.append((.string(text), token.offset))
            case .number(let number): items.append((.number(number), token.offset))
            case .identifier(let word):
                if let keyword = Self.keyword(word) {
                    items.append((keyword, token.offset))
                } else {
                    throw FilterSyntaxError(
                        .unexpectedToken,
                        "list items are values; put text in quotes, e.g. \"\(FilterSyntaxError.excerpt(word))\"",
                        at: token.offset
                    )
                }
            case .leftBracket:
                throw FilterSyntaxError(.unexpectedToken, "lists cannot contain lists", at: token.offset)
            case .end:
                throw unclosedList(openedAt: open.offset, at: token.offset)
            default:
                throw FilterSyntaxError(
                    .unexpectedToken,
                    "expected a list item here: a quoted string, a number, true, false or null",
                    at: token.offset
                )
            }
            let separator = try lexer.next()
            switch separator.kind {
            case .comma:
                if case .rightBracket = try lexer.peek().kind {
                    throw FilterSyntaxError(.unexpectedToken, "remove the trailing ',' before ']'", at: separator.offset)
                }
            case .rightBracket:
                return .list(items, offset: open.offset)
            case .end:
                throw unclosedList(openedAt: open.offset, at: separator.offset)
            default:
                throw FilterSyntaxError(.unexpectedToken, "expected ',' or ']' in the list", at: separator.offset)
            }
        }
    }

    /// `true`, `false` and `null`, in any case.
    private static func keyword(_ word: String) -> FilterLiteral? {
        switch word.lowercased() {
        case "true": .bool(true)
        case "false": .bool(false)
        case "null": .null
        default: nil
        }
    }

    private func unclosed(_ name: String, openedAt open: Int, at offset: Int) -> FilterSyntaxError {
        FilterSyntaxError(
            .unexpectedToken,
            "the filter ends before the ')' that closes '\(name)(' at offset \(open); add the missing ')'",
            at: offset
        )
    }

    private func unclosedList(openedAt open: Int, at offset: Int) -> FilterSyntaxError {
        FilterSyntaxError(
            .unexpectedToken,
            "the filter ends before the ']' that closes the list at offset \(open); add the missing ']'",
            at: offset
        )
    }
}
