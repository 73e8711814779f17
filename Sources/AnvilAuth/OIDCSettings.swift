import AnvilCore
import Foundation

/// OpenID Connect sign-in, configured by issuer URL, client id and secret.
public struct OIDCSettings: Sendable, Hashable {
    /// The issuer URL; its `/.well-known/openid-configuration` names the endpoints.
    public var issuer: String
    public var clientId: String
    public var clientSecret: String
    /// What the sign-in button says ("Sign in with …").
    public var displayName: String
    public var scopes: [String]
    /// Anvil's public base URL (for the redirect URI); nil derives it from the request's Host.
    public var publicURL: String?
    /// The workspace role of users created on their first SSO sign-in; nil admits only users who
    /// already exist or were invited.
    public var autoProvisionRole: WorkspaceRole?

    public init(issuer: String, clientId: String, clientSecret: String, displayName: String = "SSO", scopes: [String] = ["openid", "email", "profile"],
                publicURL: String? = nil, autoProvisionRole: WorkspaceRole? = nil) {
        self.issuer = issuer
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.displayName = displayName
        self.scopes = scopes
        self.publicURL = publicURL
        self.autoProvisionRole = autoProvisionRole
    }
}
