import AnvilCore
import AnvilStorage
import Crypto
import Foundation

/// API key generation and hashing. Keys look like LangSmith's (`lsv2_sk_<32 hex>_<10 hex>`); only
/// their SHA-256 is stored. Keys carry 168 random bits, so a fast hash is the right tool here
/// (passwords, which are low-entropy, get a slow KDF instead).
public enum APIKeys {
    public static func generate(prefix: String = "lsv2_sk") -> String {
        "\(prefix)_\(randomHex(16))_\(randomHex(5))"
    }

    public static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// What a listing may show of a key: its prefix and last characters.
    public static func shortKey(_ key: String) -> String {
        guard key.count > 12 else { return "****" }
        return "\(key.prefix(8))…\(key.suffix(4))"
    }

    public static func randomHex(_ bytes: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }
}

/// Who a request acts as, once its key has been checked.
public struct Principal: Sendable, Hashable {
    public var tenantId: UUID
    public var keyId: UUID

    public init(tenantId: UUID, keyId: UUID) {
        self.tenantId = tenantId
        self.keyId = keyId
    }
}

/// Checks API keys against the tenant store, caching verified hashes briefly so the hot ingest
/// path does not hit the database on every request.
public actor Authenticator {
    let store: any TenantStore
    let ttl: Double
    private var cache: [String: (key: APIKey, checkedAt: Double)] = [:]
    private var lastTouched: [UUID: Double] = [:]

    public init(store: any TenantStore, cacheSeconds: Double = 10) {
        self.store = store
        self.ttl = cacheSeconds
    }

    /// The principal for a presented key, or nil when it is unknown or revoked.
    public func authenticate(key: String) async throws -> Principal? {
        let hash = APIKeys.hash(key)
        let now = Date().timeIntervalSince1970
        let apiKey: APIKey
        if let hit = cache[hash], now - hit.checkedAt < ttl {
            apiKey = hit.key
        } else {
            guard let found = try await store.apiKey(hash: hash) else {
                cache[hash] = nil
                return nil
            }
            if cache.count > 10_000 { cache.removeAll() }
            cache[hash] = (found, now)
            apiKey = found
        }
        if now - (lastTouched[apiKey.id] ?? 0) > 60 {
            lastTouched[apiKey.id] = now
            try? await store.touchAPIKey(id: apiKey.id, at: Timestamp.now())
        }
        return Principal(tenantId: apiKey.tenantId, keyId: apiKey.id)
    }

    /// Forgets cached verifications (after a key is revoked).
    public func invalidate() { cache.removeAll() }
}

/// HMAC-signed, expiring tokens for URLs that must work without an API key (attachment downloads,
/// which the SDK fetches with a plain GET).
public struct URLSigner: Sendable {
    let key: SymmetricKey

    public init(secret: [UInt8]) { key = SymmetricKey(data: secret) }

    /// `<expires>.<hex signature>` over the resource and expiry.
    public func sign(_ resource: String, expires: Int64) -> String {
        "\(expires).\(signature(resource, expires))"
    }

    public func verify(_ resource: String, token: String, now: Int64 = Int64(Date().timeIntervalSince1970)) -> Bool {
        let parts = token.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let expires = Int64(parts[0]), expires >= now else { return false }
        let expected = Array(signature(resource, expires).utf8)
        let given = Array(parts[1].utf8)
        guard expected.count == given.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<expected.count { diff |= expected[i] ^ given[i] }  // constant time
        return diff == 0
    }

    func signature(_ resource: String, _ expires: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(resource)\n\(expires)".utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
