import AnvilCore
import Crypto
import Foundation
import _CryptoExtras

/// OpenID Connect sign-in (authorization code flow with PKCE), the parts that need no network:
/// the provider's discovery document, the short-lived flow state kept in a sealed cookie, and
/// ID token verification against the provider's JWKS. The HTTP layer does the fetching.
public enum OIDC {
    /// What `/.well-known/openid-configuration` says (the fields Anvil uses).
    public struct ProviderMetadata: Sendable, Decodable, Equatable {
        public var issuer: String
        public var authorizationEndpoint: String
        public var tokenEndpoint: String
        public var jwksURI: String
        public var tokenEndpointAuthMethodsSupported: [String]?

        enum CodingKeys: String, CodingKey {
            case issuer
            case authorizationEndpoint = "authorization_endpoint"
            case tokenEndpoint = "token_endpoint"
            case jwksURI = "jwks_uri"
            case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        }

        /// Parses the document and checks it belongs to `expectedIssuer` (OIDC Discovery §4.3).
        public static func parse(_ data: Data, expectedIssuer: String) throws -> ProviderMetadata {
            let m: ProviderMetadata
            do { m = try JSONDecoder().decode(ProviderMetadata.self, from: data) } catch {
                throw OIDCError("the provider's discovery document is not valid: \(error)")
            }
            guard trimSlash(m.issuer) == trimSlash(expectedIssuer) else {
                throw OIDCError("the provider says its issuer is \(m.issuer), not \(expectedIssuer)")
            }
            return m
        }

        /// Client authentication at the token endpoint: HTTP Basic unless the provider only takes
        /// the secret in the form.
        public var usesBasicAuth: Bool {
            guard let methods = tokenEndpointAuthMethodsSupported, !methods.isEmpty else { return true }
            return methods.contains("client_secret_basic") || !methods.contains("client_secret_post")
        }
    }

    static func trimSlash(_ s: String) -> String { s.hasSuffix("/") ? String(s.dropLast()) : s }

    /// The discovery document's URL for an issuer.
    public static func discoveryURL(issuer: String) -> String {
        trimSlash(issuer) + "/.well-known/openid-configuration"
    }

    // MARK: flow state

    /// What the callback must find again: kept in an encrypted, authenticated cookie for ten
    /// minutes, so no server-side table is needed and a forged or stale callback is refused.
    public struct FlowState: Sendable, Codable, Equatable {
        public var state: String
        public var nonce: String
        public var verifier: String
        /// Where the browser goes after signing in (a path on this server).
        public var returnTo: String
        public var expires: Int64

        public static func start(returnTo: String, lifetime: Int64 = 600, now: Int64 = Int64(Date().timeIntervalSince1970)) -> FlowState {
            FlowState(state: randomToken(), nonce: randomToken(), verifier: randomToken(48), returnTo: safeReturnPath(returnTo), expires: now + lifetime)
        }

        /// The PKCE S256 challenge of the verifier (RFC 7636 §4.2).
        public var challenge: String { base64URL(Data(SHA256.hash(data: Data(verifier.utf8)))) }
    }

    /// Only local paths: an open redirect would turn sign-in into a phishing tool.
    public static func safeReturnPath(_ path: String) -> String {
        guard path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"), !path.contains(where: { $0.isNewline }) else { return "/" }
        return path
    }

    /// Seals flow state for a cookie (AES-GCM under a key derived from the server secret).
    public struct StateSealer: Sendable {
        let key: SymmetricKey

        public init(secret: [UInt8]) { self.init(key: SymmetricKey(data: secret)) }

        /// Under a key derived from the one that signs URLs (the server secret).
        public init(signer: URLSigner) { self.init(key: signer.key) }

        init(key: SymmetricKey) {
            self.key = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("anvil oidc state".utf8), outputByteCount: 32)
        }

        public func seal(_ state: FlowState) throws -> String {
            let box = try AES.GCM.seal(try JSONEncoder().encode(state), using: key)
            guard let combined = box.combined else { throw OIDCError("could not seal the sign-in state") }
            return base64URL(combined)
        }

        /// The state, if the cookie is ours, intact and not expired.
        public func open(_ sealed: String, now: Int64 = Int64(Date().timeIntervalSince1970)) -> FlowState? {
            guard let data = base64URLDecode(sealed),
                  let box = try? AES.GCM.SealedBox(combined: data),
                  let plain = try? AES.GCM.open(box, using: key),
                  let state = try? JSONDecoder().decode(FlowState.self, from: plain),
                  state.expires >= now
            else { return nil }
            return state
        }
    }

    /// The authorization request URL (OIDC Core §3.1.2.1 with PKCE).
    public static func authorizationURL(_ provider: ProviderMetadata, settings: OIDCSettings, redirectURI: String, state: FlowState) -> String {
        var c = URLComponents(string: provider.authorizationEndpoint) ?? URLComponents()
        var items = c.queryItems ?? []
        items += [
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "client_id", value: settings.clientId),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "scope", value: settings.scopes.joined(separator: " ")),
            URLQueryItem(name: "state", value: state.state),
            URLQueryItem(name: "nonce", value: state.nonce),
            URLQueryItem(name: "code_challenge", value: state.challenge),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
        ]
        c.percentEncodedQuery = items.map { "\(formEncode($0.name))=\(formEncode($0.value ?? ""))" }.joined(separator: "&")
        return c.string ?? provider.authorizationEndpoint
    }

    /// The token request's form body.
    public static func tokenRequestBody(code: String, redirectURI: String, verifier: String, settings: OIDCSettings, basicAuth: Bool) -> String {
        var fields = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier)]
        if !basicAuth { fields += [("client_id", settings.clientId), ("client_secret", settings.clientSecret)] }
        else { fields.append(("client_id", settings.clientId)) }
        return fields.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&")
    }

    /// `Authorization: Basic` for the token endpoint (RFC 6749 §2.3.1: form-encode, then base64).
    public static func basicAuthorization(_ settings: OIDCSettings) -> String {
        "Basic " + Data("\(formEncode(settings.clientId)):\(formEncode(settings.clientSecret))".utf8).base64EncodedString()
    }

    static func formEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    // MARK: ID tokens

    /// Who the provider says signed in.
    public struct Identity: Sendable, Equatable {
        public var issuer: String
        public var subject: String
        public var email: String?
        public var emailVerified: Bool
        public var name: String?

        public init(issuer: String, subject: String, email: String?, emailVerified: Bool, name: String?) {
            self.issuer = issuer
            self.subject = subject
            self.email = email
            self.emailVerified = emailVerified
            self.name = name
        }

        /// The key Anvil links accounts by: the subject qualified by its issuer.
        public var qualifiedSubject: String { "\(trimSlash(issuer))#\(subject)" }
    }

    /// The `access_token`/`id_token` answer of the token endpoint.
    public static func idToken(fromTokenResponse data: Data) throws -> String {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw OIDCError("the provider's token response is not JSON")
        }
        if let error = object["error"] as? String {
            throw OIDCError("the provider refused the sign-in: \(error) \(object["error_description"] as? String ?? "")")
        }
        guard let token = object["id_token"] as? String else { throw OIDCError("the provider's token response has no id_token") }
        return token
    }

    /// A set of JSON Web Keys (RFC 7517) usable for signature checks.
    public struct KeySet: Sendable {
        struct Key: Sendable {
            var kid: String?
            var verify: @Sendable (_ signed: Data, _ signature: Data, _ alg: String) -> Bool
        }
        var keys: [Key]

        public static func parse(_ data: Data) throws -> KeySet {
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let list = object["keys"] as? [[String: Any]] else {
                throw OIDCError("the provider's JWKS is not a key set")
            }
            var keys: [Key] = []
            for jwk in list {
                if let use = jwk["use"] as? String, use != "sig" { continue }
                let kid = jwk["kid"] as? String
                switch jwk["kty"] as? String {
                case "RSA":
                    guard let n = (jwk["n"] as? String).flatMap(base64URLDecode), let e = (jwk["e"] as? String).flatMap(base64URLDecode),
                          let key = try? _RSA.Signing.PublicKey(n: n, e: e)
                    else { continue }
                    keys.append(Key(kid: kid) { signed, signature, alg in
                        guard alg == "RS256" else { return false }
                        return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: signed), padding: .insecurePKCS1v1_5)
                    })
                case "EC":
                    guard jwk["crv"] as? String == "P-256",
                          let x = (jwk["x"] as? String).flatMap(base64URLDecode), let y = (jwk["y"] as? String).flatMap(base64URLDecode),
                          let key = try? P256.Signing.PublicKey(x963Representation: [0x04] + x + y)
                    else { continue }
                    keys.append(Key(kid: kid) { signed, signature, alg in
                        guard alg == "ES256", let sig = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
                        return key.isValidSignature(sig, for: SHA256.hash(data: signed))
                    })
                default:
                    continue
                }
            }
            return KeySet(keys: keys)
        }

        func candidates(kid: String?) -> [Key] {
            guard let kid else { return keys }
            return keys.filter { $0.kid == nil || $0.kid == kid }
        }

        public func has(kid: String?) -> Bool { !candidates(kid: kid).isEmpty }
    }

    /// The `kid` in a token's header (to decide whether the key set must be refetched).
    public static func keyId(of token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = base64URLDecode(String(parts[0])),
              let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else { return nil }
        return object["kid"] as? String
    }

    /// Verifies an ID token (OIDC Core §3.1.3.7): signature by one of the provider's keys (RS256
    /// or ES256; never `none`), issuer, audience, authorized party, expiry, issue time and nonce.
    public static func verify(idToken token: String, keys: KeySet, settings: OIDCSettings, issuer: String, nonce: String,
                              now: Int64 = Int64(Date().timeIntervalSince1970), leeway: Int64 = 60) throws -> Identity {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerData = base64URLDecode(parts[0]), let payloadData = base64URLDecode(parts[1]),
              let signature = base64URLDecode(parts[2]),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
              let claims = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any]
        else { throw OIDCError("the ID token is not a JWT") }
        guard let alg = header["alg"] as? String, alg == "RS256" || alg == "ES256" else {
            throw OIDCError("the ID token's algorithm \(header["alg"] ?? "none") is not accepted (RS256, ES256)")
        }
        let signed = Data((parts[0] + "." + parts[1]).utf8)
        guard keys.candidates(kid: header["kid"] as? String).contains(where: { $0.verify(signed, signature, alg) }) else {
            throw OIDCError("the ID token's signature does not verify against the provider's keys")
        }
        guard let iss = claims["iss"] as? String, trimSlash(iss) == trimSlash(issuer) else {
            throw OIDCError("the ID token was issued by \(claims["iss"] ?? "nobody"), not \(issuer)")
        }
        let audiences: [String] = (claims["aud"] as? String).map { [$0] } ?? (claims["aud"] as? [String]) ?? []
        guard audiences.contains(settings.clientId) else { throw OIDCError("the ID token is not meant for this client") }
        if audiences.count > 1, let azp = claims["azp"] as? String, azp != settings.clientId {
            throw OIDCError("the ID token's authorized party is another client")
        }
        guard let exp = number(claims["exp"]), exp + leeway >= now else { throw OIDCError("the ID token has expired") }
        if let iat = number(claims["iat"]), iat - leeway > now { throw OIDCError("the ID token is issued in the future") }
        guard claims["nonce"] as? String == nonce else { throw OIDCError("the ID token's nonce does not match this sign-in") }
        guard let sub = claims["sub"] as? String, !sub.isEmpty else { throw OIDCError("the ID token has no subject") }
        let verified = (claims["email_verified"] as? Bool) ?? ((claims["email_verified"] as? String) == "true")
        let name = (claims["name"] as? String) ?? (claims["preferred_username"] as? String)
        return Identity(issuer: iss, subject: sub, email: claims["email"] as? String, emailVerified: verified, name: name)
    }

    static func number(_ value: Any?) -> Int64? {
        if let n = value as? NSNumber { return n.int64Value }
        if let i = value as? Int { return Int64(i) }
        return nil
    }

    // MARK: encoding

    public static func randomToken(_ bytes: Int = 32) -> String {
        var g = SystemRandomNumberGenerator()
        return base64URL(Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &g) }))
    }

    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func base64URLDecode(_ s: String) -> Data? {
        var b = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        return Data(base64Encoded: b)
    }
}

public struct OIDCError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
