/// Input that breaks a rule of the domain model (a feedback config whose `min` is not below its
/// `max`, a score outside its key's range). The message says what to fix; the HTTP layer answers
/// it as a 422.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
