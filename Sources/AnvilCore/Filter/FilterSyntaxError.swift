/// A filter string that cannot be parsed or that breaks the language's rules.
///
/// `message` is written for the person who typed the filter: it says what is wrong and what to
/// write instead. `code` is stable and machine-readable; the HTTP layer returns `message` as
/// LangSmith's `{"detail": …}` and may log `code`.
public struct FilterSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and what to write instead.
    public var message: String
    /// UTF-8 offset into the source where it went wrong (`0...source.utf8.count`).
    public var offset: Int
    /// Stable, machine-readable category of the error.
    public var code: Code

    public init(_ code: Code, _ message: String, at offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String {
        "invalid filter at offset \(offset): \(message)"
    }

    /// An extensible error category. New codes may be added; match the ones you handle and
    /// treat the rest generically.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The source is empty or only whitespace.
        public static let emptyFilter = Code(rawValue: "empty_filter")
        /// The source is longer than ``FilterParser/maximumSourceLength``.
        public static let tooLong = Code(rawValue: "filter_too_long")
        /// Calls or lists nest deeper than ``FilterParser/maximumDepth``.
        public static let tooDeep = Code(rawValue: "filter_too_deep")
        /// A character that cannot start any token.
        public static let unexpectedCharacter = Code(rawValue: "unexpected_character")
        /// A quoted string without its closing quote.
        public static let unterminatedString = Code(rawValue: "unterminated_string")
        /// A malformed `\u` escape in a string.
        public static let invalidEscape = Code(rawValue: "invalid_escape")
        /// A malformed or out-of-range number.
        public static let invalidNumber = Code(rawValue: "invalid_number")
        /// A token where the grammar does not allow it (includes unbalanced brackets).
        public static let unexpectedToken = Code(rawValue: "unexpected_token")
        /// Input left over after a complete filter.
        public static let trailingInput = Code(rawValue: "trailing_input")
        /// A function name that is not an operator.
        public static let unknownOperator = Code(rawValue: "unknown_operator")
        /// A field name that is not a known run field.
        public static let unknownField = Code(rawValue: "unknown_field")
        /// An operator called with the wrong number or kind of arguments.
        public static let wrongArguments = Code(rawValue: "wrong_arguments")
        /// An operator that the field does not support, e.g. `gt(tags, 1)`.
        public static let operatorNotAllowed = Code(rawValue: "operator_not_allowed")
        /// A value of the wrong type or format for its field, e.g. a bad timestamp.
        public static let invalidValue = Code(rawValue: "invalid_value")
    }
}

extension FilterSyntaxError {
    /// User text quoted back in a message, shortened so hostile input cannot bloat the message.
    static func excerpt(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}
