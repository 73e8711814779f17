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

/// Who a request acts as, once its credential has been checked, and in which workspace.
public struct Principal: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case serviceKey = "service_key", personalToken = "personal_token", session
    }

    public var kind: Kind
    /// The workspace the request acts in (the key's own, or the one `X-Tenant-Id` selected).
    public var tenantId: UUID
    public var organizationId: UUID
    /// The effective role in that workspace.
    public var role: WorkspaceRole
    public var organizationRole: OrganizationRole?
    public var userId: UUID?
    public var email: String?
    public var keyId: UUID?
    public var sessionId: UUID?

    public init(kind: Kind, tenantId: UUID, organizationId: UUID, role: WorkspaceRole, organizationRole: OrganizationRole? = nil,
                userId: UUID? = nil, email: String? = nil, keyId: UUID? = nil, sessionId: UUID? = nil) {
        self.kind = kind
        self.tenantId = tenantId
        self.organizationId = organizationId
        self.role = role
        self.organizationRole = organizationRole
        self.userId = userId
        self.email = email
        self.keyId = keyId
        self.sessionId = sessionId
    }

    public var isOrganizationAdmin: Bool { organizationRole == .admin }

    /// Who acted, for records such as "reviewed by": the user, else the key.
    public var actorId: UUID { userId ?? keyId ?? tenantId }
}

/// Why a credential was refused: unknown/revoked/expired (401) or valid but not for the requested
/// workspace (403).
public enum AuthFailure: Error, Sendable, Hashable {
    case invalid(String)
    case forbidden(String)
}

/// Checks API keys and browser sessions and resolves the workspace a request acts in. Verified key
/// hashes are cached briefly so the ingest path does not query the database per request; revoking a
/// key clears the cache, so revocation takes effect at once.
public actor Authenticator {
    public typealias Store = TenantStore & IdentityStore
    let store: any Store
    let ttl: Double
    private var cache: [String: (key: APIKey, checkedAt: Double)] = [:]
    private var lastTouched: [UUID: Double] = [:]

    public init(store: any Store, cacheSeconds: Double = 10) {
        self.store = store
        self.ttl = cacheSeconds
    }

    /// The principal for an API key acting in `requestedTenant` (nil: the key's default workspace).
    public func authenticate(key: String, requestedTenant: UUID? = nil) async throws -> Result<Principal, AuthFailure> {
        let hash = APIKeys.hash(key)
        let now = Date().timeIntervalSince1970
        let apiKey: APIKey
        if let hit = cache[hash], now - hit.checkedAt < ttl {
            apiKey = hit.key
        } else {
            guard let found = try await store.apiKey(hash: hash) else {
                cache[hash] = nil
                return .failure(.invalid("invalid API key"))
            }
            if cache.count > 10_000 { cache.removeAll() }
            cache[hash] = (found, now)
            apiKey = found
        }
        if now - (lastTouched[apiKey.id] ?? 0) > 60 {
            lastTouched[apiKey.id] = now
            try? await store.touchAPIKey(id: apiKey.id, at: Timestamp.now())
        }
        switch apiKey.kind {
        case .service:
            if let requestedTenant, requestedTenant != apiKey.tenantId {
                return .failure(.forbidden("this API key does not grant access to workspace \(requestedTenant.lowercased)"))
            }
            guard let ws = try await store.workspace(id: apiKey.tenantId) else { return .failure(.invalid("invalid API key")) }
            return .success(Principal(kind: .serviceKey, tenantId: ws.id, organizationId: ws.organizationId, role: apiKey.role, keyId: apiKey.id))
        case .personal:
            guard let userId = apiKey.userId, let user = try await store.user(id: userId), !user.disabled else {
                return .failure(.invalid("invalid API key"))
            }
            return try await principal(for: user, kind: .personalToken, requestedTenant: requestedTenant ?? apiKey.tenantId, keyId: apiKey.id)
        }
    }

    /// The principal for a browser session cookie.
    public func authenticate(sessionSecret: String, requestedTenant: UUID?) async throws -> Result<Principal, AuthFailure> {
        guard let session = try await store.session(hash: APIKeys.hash(sessionSecret)), session.revokedAt == nil,
            session.expiresAt > Timestamp.now()
        else { return .failure(.invalid("your session has expired; sign in again")) }
        guard let user = try await store.user(id: session.userId), !user.disabled else {
            return .failure(.invalid("your session has expired; sign in again"))
        }
        return try await principal(for: user, kind: .session, requestedTenant: requestedTenant, sessionId: session.id)
    }

    /// A user's role in a workspace: their membership, or admin for organization admins.
    public func principal(for user: User, kind: Principal.Kind, requestedTenant: UUID?, keyId: UUID? = nil, sessionId: UUID? = nil)
        async throws -> Result<Principal, AuthFailure>
    {
        let memberships = try await store.workspaceMemberships(userId: user.id)
        let orgRoles = try await store.organizationMemberships(userId: user.id)
        let workspaceId: UUID
        if let requestedTenant {
            workspaceId = requestedTenant
        } else if let first = memberships.first?.workspaceId {
            workspaceId = first
        } else if let org = orgRoles.first(where: { $0.role == .admin }), let ws = try await store.workspaces(organizationId: org.organizationId).first {
            workspaceId = ws.id
        } else {
            return .failure(.forbidden("you are not a member of any workspace; ask an admin to add you"))
        }
        guard let ws = try await store.workspace(id: workspaceId) else {
            return .failure(.forbidden("you have no access to workspace \(workspaceId.lowercased)"))
        }
        let orgRole = orgRoles.first { $0.organizationId == ws.organizationId }?.role
        let role: WorkspaceRole
        if orgRole == .admin {
            role = .admin
        } else if let m = memberships.first(where: { $0.workspaceId == ws.id }) {
            role = m.role
        } else {
            return .failure(.forbidden("you have no access to workspace \(workspaceId.lowercased)"))
        }
        return .success(Principal(kind: kind, tenantId: ws.id, organizationId: ws.organizationId, role: role, organizationRole: orgRole,
                                  userId: user.id, email: user.email, keyId: keyId, sessionId: sessionId))
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
