import AnvilAuth
import AnvilCore
import AnvilStorage
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// The OpenID provider as Anvil sees it: its discovery document and signing keys, fetched on
/// first use and cached for an hour (keys are refetched early when a token names an unknown
/// `kid`, at most once a minute, which is how providers roll keys).
actor OIDCProvider {
    let settings: OIDCSettings
    private var metadata: (value: OIDC.ProviderMetadata, at: Date)?
    private var keys: (value: OIDC.KeySet, at: Date)?
    static let maxAge: TimeInterval = 3600

    init(settings: OIDCSettings) { self.settings = settings }

    func provider() async throws -> OIDC.ProviderMetadata {
        if let metadata, Date().timeIntervalSince(metadata.at) < Self.maxAge { return metadata.value }
        let (status, body) = try await Self.send(HTTPClientRequest(url: OIDC.discoveryURL(issuer: settings.issuer)))
        guard status == 200 else { throw OIDCError("the provider's discovery document answered \(status)") }
        let value = try OIDC.ProviderMetadata.parse(body, expectedIssuer: settings.issuer)
        metadata = (value, Date())
        return value
    }

    func keySet(for kid: String?) async throws -> OIDC.KeySet {
        if let keys {
            let age = Date().timeIntervalSince(keys.at)
            if age < Self.maxAge && (keys.value.has(kid: kid) || age < 60) { return keys.value }
        }
        let (status, body) = try await Self.send(HTTPClientRequest(url: try await provider().jwksURI))
        guard status == 200 else { throw OIDCError("the provider's key set answered \(status)") }
        let value = try OIDC.KeySet.parse(body)
        keys = (value, Date())
        return value
    }

    /// Exchanges the authorization code for tokens and returns the ID token.
    func idToken(code: String, redirectURI: String, verifier: String) async throws -> String {
        let p = try await provider()
        var request = HTTPClientRequest(url: p.tokenEndpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if p.usesBasicAuth { request.headers.add(name: "Authorization", value: OIDC.basicAuthorization(settings)) }
        request.body = .bytes(ByteBuffer(string: OIDC.tokenRequestBody(code: code, redirectURI: redirectURI, verifier: verifier, settings: settings,
                                                                          basicAuth: p.usesBasicAuth)))
        let (_, body) = try await Self.send(request)
        return try OIDC.idToken(fromTokenResponse: body)
    }

    static func send(_ request: HTTPClientRequest) async throws -> (Int, Data) {
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), Data(body.readableBytesView))
        } catch let e as OIDCError {
            throw e
        } catch {
            throw OIDCError("could not reach the identity provider at \(request.url): \(error)")
        }
    }
}

/// OpenID Connect sign-in for the UI: `GET auth/oidc/start` sends the browser to the provider
/// (authorization code flow with PKCE, state and nonce sealed in a ten-minute cookie), and
/// `GET auth/oidc/callback` verifies the answer, finds or provisions the user
/// (``Accounts/user(for:settings:workspace:)``) and starts a session like a password sign-in.
struct OIDCController: Sendable {
    let settings: OIDCSettings?
    let provider: OIDCProvider?
    let sealer: OIDC.StateSealer
    let accounts: Accounts
    let store: any MetadataStore
    let authenticator: Authenticator
    let auditor: Auditor

    static let stateCookie = "anvil_oidc"
    static let callbackPath = "/api/v1/auth/oidc/callback"

    init(settings: OIDCSettings?, signer: URLSigner, accounts: Accounts, store: any MetadataStore, authenticator: Authenticator, auditor: Auditor) {
        self.settings = settings
        self.provider = settings.map(OIDCProvider.init)
        self.sealer = OIDC.StateSealer(signer: signer)
        self.accounts = accounts
        self.store = store
        self.authenticator = authenticator
        self.auditor = auditor
    }

    func addPublicRoutes(to group: RouterGroup<AnvilRequestContext>) {
        group.get("auth/oidc/start", use: start)
        group.get("auth/oidc/callback", use: callback)
    }

    /// The redirect URI registered with the provider: the configured public URL, else this
    /// request's scheme and host.
    func redirectURI(_ request: Request) -> String {
        if let base = settings?.publicURL, !base.isEmpty {
            return (base.hasSuffix("/") ? String(base.dropLast()) : base) + Self.callbackPath
        }
        let scheme = AuthController.isHTTPS(request) ? "https" : "http"
        let host = request.head.authority ?? "127.0.0.1"
        return "\(scheme)://\(host)\(Self.callbackPath)"
    }

    @Sendable func start(request: Request, context: AnvilRequestContext) async throws -> Response {
        guard let settings, let provider else { throw APIError.notFound("single sign-on (it is not configured on this server)") }
        let p: OIDC.ProviderMetadata
        do { p = try await provider.provider() } catch let e as OIDCError { throw APIError(.badGateway, e.message) }
        let state = OIDC.FlowState.start(returnTo: request.uri.queryParameters.get("return_to") ?? "/")
        var response = Response(status: .found, headers: [.location: OIDC.authorizationURL(p, settings: settings, redirectURI: redirectURI(request), state: state)])
        response.setCookie(Cookie(name: Self.stateCookie, value: try sealer.seal(state), maxAge: 600, path: "/",
                                  secure: AuthController.isHTTPS(request), httpOnly: true, sameSite: .lax))
        return response
    }

    @Sendable func callback(request: Request, context: AnvilRequestContext) async throws -> Response {
        guard let settings, let provider else { throw APIError.notFound("single sign-on (it is not configured on this server)") }
        let query = request.uri.queryParameters
        let sealed = request.cookies[Self.stateCookie]?.value ?? ""
        guard let state = sealer.open(sealed) else {
            return await refuse(request, "this sign-in has expired or was not started here; try again")
        }
        guard let returned = query.get("state"), returned == state.state else {
            return await refuse(request, "the sign-in answer does not belong to this browser's sign-in")
        }
        if let error = query.get("error") {
            return await refuse(request, "the identity provider refused: \(query.get("error_description") ?? error)")
        }
        guard let code = query.get("code"), !code.isEmpty else { return await refuse(request, "the identity provider sent no code") }
        let user: User
        do {
            let token = try await provider.idToken(code: code, redirectURI: redirectURI(request), verifier: state.verifier)
            let keys = try await provider.keySet(for: OIDC.keyId(of: token))
            let issuer = try await provider.provider().issuer
            let identity = try OIDC.verify(idToken: token, keys: keys, settings: settings, issuer: issuer, nonce: state.nonce)
            user = try await accounts.user(for: identity, settings: settings, workspace: try await store.bootstrapDefaultWorkspace())
        } catch let e as OIDCError {
            return await refuse(request, e.message)
        } catch let e as AccountError {
            return await refuse(request, e.message)
        }
        let (secret, session) = try await accounts.startSession(for: user)
        let principal = try await authenticator.principal(for: user, kind: .session, requestedTenant: nil, sessionId: session.id)
        await auditor.record(request: request, principal: try? principal.get(), operation: "auth.login", activity: .other, status: 200,
                             message: "single sign-on via \(settings.displayName)", user: user)
        var response = Response(status: .found, headers: [.location: state.returnTo])
        response.setCookie(AuthController.sessionCookie(secret, lifetime: accounts.sessionLifetime, request: request))
        response.setCookie(clearedStateCookie(request))
        return response
    }

    func clearedStateCookie(_ request: Request) -> Cookie {
        Cookie(name: Self.stateCookie, value: "", maxAge: 0, path: "/", secure: AuthController.isHTTPS(request), httpOnly: true, sameSite: .lax)
    }

    /// A failed sign-in goes back to the sign-in page with the reason (and into the audit log).
    func refuse(_ request: Request, _ message: String) async -> Response {
        await auditor.record(request: request, principal: nil, operation: "auth.login", activity: .other, status: 401,
                             message: "single sign-on refused: \(message)")
        var c = URLComponents()
        c.path = "/signin"
        c.queryItems = [URLQueryItem(name: "sso_error", value: message)]
        var response = Response(status: .found, headers: [.location: c.string ?? "/signin"])
        response.setCookie(clearedStateCookie(request))
        return response
    }
}
