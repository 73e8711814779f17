import Foundation

/// Slows password guessing: after `limit` failed sign-ins for one email within `window`
/// seconds, further attempts for it are refused until the oldest failure ages out, whether or
/// not the password is right. A success clears the count. In memory, per process: a restart
/// forgets it, which costs an attacker a restart they cannot cause.
public actor LoginThrottle {
    let limit: Int
    let window: Double
    private var failures: [String: [Double]] = [:]

    public init(limit: Int = 5, window: Double = 900) {
        self.limit = limit
        self.window = window
    }

    /// Seconds to wait before trying this email again, or nil when an attempt is allowed.
    public func retryAfter(email: String, now: Double = Date().timeIntervalSince1970) -> Int? {
        let recent = prune(Self.key(email), now: now)
        guard recent.count >= limit, let oldest = recent.first else { return nil }
        return max(1, Int((oldest + window - now).rounded(.up)))
    }

    public func failed(email: String, now: Double = Date().timeIntervalSince1970) {
        let key = Self.key(email)
        failures[key] = prune(key, now: now) + [now]
        if failures.count > 100_000 { failures = failures.filter { !$0.value.isEmpty && $0.value.last! > now - window } }
    }

    public func succeeded(email: String) { failures[Self.key(email)] = nil }

    private func prune(_ key: String, now: Double) -> [Double] {
        let kept = (failures[key] ?? []).filter { $0 > now - window }
        failures[key] = kept.isEmpty ? nil : kept
        return kept
    }

    static func key(_ email: String) -> String { email.trimmingCharacters(in: .whitespaces).lowercased() }
}
