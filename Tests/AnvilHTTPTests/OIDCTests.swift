import AnvilAuth
import Crypto
import Foundation
import Testing

/// ID token verification and the sealed flow state, with tokens signed here by a P-256 key (the
/// RS256 path runs end to end against a real provider in e2e/test_oidc.py).
@Suite("OIDC: ID tokens and sign-in state")
struct OIDCTests {
    static let settings = OIDCSettings(issuer: "https://idp.example/", clientId: "anvil", clientSecret: "s")
    static let key = P256.Signing.PrivateKey()
    static let now: Int64 = 1_800_000_000

    static var keySet: OIDC.KeySet {
        let raw = key.publicKey.x963Representation.dropFirst()
        let jwks: [String: Any] = ["keys": [
            ["kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig",
             "x": OIDC.base64URL(Data(raw.prefix(32))), "y": OIDC.base64URL(Data(raw.suffix(32)))],
            ["kty": "oct", "k": "ignored"],
        ]]
        return try! OIDC.KeySet.parse(try! JSONSerialization.data(withJSONObject: jwks))
    }

    static func token(_ overrides: [String: Any] = [:], header: [String: Any] = ["alg": "ES256", "kid": "k1"], signer: P256.Signing.PrivateKey = key) -> String {
        var claims: [String: Any] = ["iss": "https://idp.example", "aud": "anvil", "sub": "u-1", "exp": now + 300, "iat": now,
                                     "nonce": "n-1", "email": "ada@example.com", "email_verified": true, "name": "Ada"]
        for (k, v) in overrides { claims[k] = v is NSNull ? nil : v }
        let h = OIDC.base64URL(try! JSONSerialization.data(withJSONObject: header))
        let p = OIDC.base64URL(try! JSONSerialization.data(withJSONObject: claims))
        let sig = try! signer.signature(for: Data("\(h).\(p)".utf8)).rawRepresentation
        return "\(h).\(p).\(OIDC.base64URL(sig))"
    }

    func verify(_ token: String, nonce: String = "n-1") throws -> OIDC.Identity {
        try OIDC.verify(idToken: token, keys: Self.keySet, settings: Self.settings, issuer: "https://idp.example/", nonce: nonce, now: Self.now)
    }

    @Test("a well-formed token yields the identity")
    func valid() throws {
        let id = try verify(Self.token())
        #expect(id == OIDC.Identity(issuer: "https://idp.example", subject: "u-1", email: "ada@example.com", emailVerified: true, name: "Ada"))
        #expect(id.qualifiedSubject == "https://idp.example#u-1")
        #expect(try verify(Self.token(["aud": ["anvil", "other"], "azp": "anvil"])).subject == "u-1")
        #expect(try verify(Self.token(["email_verified": NSNull()])).emailVerified == false)
    }

    @Test("forged, foreign, stale and replayed tokens are refused", arguments: [
        ("nonce", Self.token(["nonce": "other"])),
        ("audience", Self.token(["aud": "someone-else"])),
        ("authorized party", Self.token(["aud": ["anvil", "x"], "azp": "x"])),
        ("issuer", Self.token(["iss": "https://evil.example"])),
        ("expired", Self.token(["exp": now - 61])),
        ("future", Self.token(["iat": now + 3600])),
        ("no subject", Self.token(["sub": ""])),
        ("alg none", Self.token(header: ["alg": "none"])),
        ("HS256", Self.token(header: ["alg": "HS256", "kid": "k1"])),
        ("other key", Self.token(signer: P256.Signing.PrivateKey())),
        ("unknown kid", Self.token(header: ["alg": "ES256", "kid": "k2"])),
        ("not a JWT", "abc.def"),
    ])
    func refused(_ why: String, _ token: String) {
        #expect(throws: OIDCError.self, "\(why)") { try verify(token) }
    }

    @Test("a tampered payload breaks the signature")
    func tampered() {
        let parts = Self.token().split(separator: ".").map(String.init)
        let evil = OIDC.base64URL(try! JSONSerialization.data(withJSONObject: [
            "iss": "https://idp.example", "aud": "anvil", "sub": "admin", "exp": Self.now + 300, "nonce": "n-1"]))
        #expect(throws: OIDCError.self) { try verify("\(parts[0]).\(evil).\(parts[2])") }
    }

    @Test("flow state is sealed: round-trips, and refuses tampering, other keys and expiry")
    func sealedState() throws {
        let sealer = OIDC.StateSealer(secret: Array(repeating: 7, count: 32))
        let state = OIDC.FlowState.start(returnTo: "/datasets?x=1", lifetime: 600, now: Self.now)
        let sealed = try sealer.seal(state)
        #expect(!sealed.contains(state.state) && !sealed.contains(state.verifier))
        #expect(sealer.open(sealed, now: Self.now + 10) == state)
        #expect(sealer.open(sealed, now: Self.now + 601) == nil)
        #expect(OIDC.StateSealer(secret: Array(repeating: 8, count: 32)).open(sealed, now: Self.now) == nil)
        var bytes = Array(sealed)
        bytes[bytes.count / 2] = bytes[bytes.count / 2] == "A" ? "B" : "A"
        #expect(sealer.open(String(bytes), now: Self.now) == nil)
        // PKCE S256 (RFC 7636 appendix B's example).
        var rfc = state
        rfc.verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        #expect(rfc.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test("only local return paths survive")
    func returnPaths() {
        #expect(OIDC.safeReturnPath("/projects/p/1?tab=runs") == "/projects/p/1?tab=runs")
        for bad in ["//evil.example/x", "https://evil.example", "/\\evil.example", "evil", "/a\nSet-Cookie: x=1", ""] {
            #expect(OIDC.safeReturnPath(bad) == "/", "\(bad)")
        }
    }

    @Test("the authorization request carries PKCE, state, nonce and the redirect URI")
    func authorizationRequest() throws {
        let meta = try OIDC.ProviderMetadata.parse(Data(#"""
            {"issuer":"https://idp.example/","authorization_endpoint":"https://idp.example/auth?tenant=a","token_endpoint":"https://idp.example/token",
             "jwks_uri":"https://idp.example/jwks","token_endpoint_auth_methods_supported":["client_secret_post"]}
            """#.utf8), expectedIssuer: "https://idp.example")
        #expect(!meta.usesBasicAuth)
        let state = OIDC.FlowState.start(returnTo: "/", now: Self.now)
        let url = try #require(URLComponents(string: OIDC.authorizationURL(meta, settings: Self.settings, redirectURI: "http://h:1/cb?x=1&y", state: state)))
        let q = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(q["tenant"] == "a" && q["response_type"] == "code" && q["client_id"] == "anvil")
        #expect(q["redirect_uri"] == "http://h:1/cb?x=1&y" && q["state"] == state.state && q["nonce"] == state.nonce)
        #expect(q["code_challenge"] == state.challenge && q["code_challenge_method"] == "S256" && q["scope"] == "openid email profile")
        #expect(throws: OIDCError.self) {
            try OIDC.ProviderMetadata.parse(Data(#"{"issuer":"https://evil","authorization_endpoint":"a","token_endpoint":"t","jwks_uri":"j"}"#.utf8),
                                            expectedIssuer: "https://idp.example")
        }
        let body = OIDC.tokenRequestBody(code: "c&d", redirectURI: "http://h/cb", verifier: "v", settings: Self.settings, basicAuth: false)
        #expect(body == "grant_type=authorization_code&code=c%26d&redirect_uri=http%3A%2F%2Fh%2Fcb&code_verifier=v&client_id=anvil&client_secret=s")
    }
}
