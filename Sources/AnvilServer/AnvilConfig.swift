import AnvilAuth
import AnvilCore
import Configuration
import Foundation
import Logging

/// Server configuration. Every key is read from the command line, then `ANVIL_*` environment
/// variables, then the defaults below (the caller builds the provider chain).
///
/// | Key (`anvil.` scope) | Flag | Env | Type | Default |
/// |---|---|---|---|---|
/// | `host` | `--host` | `ANVIL_HOST` | string | `127.0.0.1` |
/// | `port` | `--port` | `ANVIL_PORT` | int | `1984` |
/// | `dataDir` | `--data-dir` | `ANVIL_DATA_DIR` | path | `./anvil-data` |
/// | `apiKey` (secret) | `--api-key` | `ANVIL_API_KEY` | string | generated on first start |
/// | `logLevel` | `--log-level` | `ANVIL_LOG_LEVEL` | trace…critical | `info` |
/// | `webDir` | `--web-dir` | `ANVIL_WEB_DIR` | path | the UI bundled with the binary |
/// | `otlpGrpcPort` | `--otlp-grpc-port` | `ANVIL_OTLP_GRPC_PORT` | int (0 disables) | `4317` |
/// | `orphanGraceSeconds` | `--orphan-grace-seconds` | `ANVIL_ORPHAN_GRACE_SECONDS` | seconds | `300` |
/// | `ingestMaxLagSeconds` | `--ingest-max-lag` | `ANVIL_INGEST_MAX_LAG_SECONDS` | seconds (0: bytes only) | `0.5` |
/// | `adminEmail` | `--admin-email` | `ANVIL_ADMIN_EMAIL` | string | `admin@localhost` |
/// | `adminPassword` (secret) | — | `ANVIL_ADMIN_PASSWORD` | string | generated on first start |
/// | `sessionHours` | `--session-hours` | `ANVIL_SESSION_HOURS` | int | `168` |
/// | `publicURL` | `--public-url` | `ANVIL_PUBLIC_URL` | URL | from the request's Host |
/// | `oidcIssuer` | `--oidc-issuer` | `ANVIL_OIDC_ISSUER` | URL | none (SSO off) |
/// | `oidcClientId` | `--oidc-client-id` | `ANVIL_OIDC_CLIENT_ID` | string | — |
/// | `oidcClientSecret` (secret) | — | `ANVIL_OIDC_CLIENT_SECRET` | string | — |
/// | `oidcName` | `--oidc-name` | `ANVIL_OIDC_NAME` | string | `SSO` |
/// | `oidcAutoProvisionRole` | `--oidc-auto-provision-role` | `ANVIL_OIDC_AUTO_PROVISION_ROLE` | viewer/editor/admin | none (invited users only) |
public struct AnvilConfig: Sendable {
    public var host: String
    public var port: Int
    public var dataDir: String
    public var apiKey: String?
    public var logLevel: Logger.Level
    /// Serve the web UI from this directory instead of the bundled copy (for UI development).
    public var webDir: String?
    /// OTLP/gRPC port (bound to `host`); 0 turns the gRPC listener off.
    public var otlpGrpcPort: Int
    /// How long a run waits for a parent that has not arrived before it is shown as a root,
    /// marked as an orphan.
    public var orphanGraceSeconds: Double
    /// Ingest answers 429 once the queue holds more than this many seconds of the worker's work.
    public var ingestMaxLagSeconds: Double
    /// The initial admin, created on first start (organization admin and admin of the default workspace).
    public var adminEmail: String
    /// nil: generated on first start, printed once and saved to `<data-dir>/admin-password`.
    public var adminPassword: String?
    /// How long a UI sign-in lasts.
    public var sessionHours: Int
    /// Anvil's public base URL (links in invitations, the OpenID Connect redirect URI).
    public var publicURL: String?
    public var oidc: OIDCSettings?

    public init(
        host: String = "127.0.0.1", port: Int = 1984, dataDir: String = "./anvil-data", apiKey: String? = nil,
        logLevel: Logger.Level = .info, webDir: String? = nil, otlpGrpcPort: Int = 4317, orphanGraceSeconds: Double = 300,
        ingestMaxLagSeconds: Double = 0.5
    ) {
        self.host = host
        self.port = port
        self.dataDir = dataDir
        self.apiKey = apiKey
        self.logLevel = logLevel
        self.webDir = webDir
        self.otlpGrpcPort = otlpGrpcPort
        self.orphanGraceSeconds = orphanGraceSeconds
        self.ingestMaxLagSeconds = ingestMaxLagSeconds
        self.adminEmail = "admin@localhost"
        self.sessionHours = 168
    }

    /// Reads the keys above from a reader scoped to `anvil`; rejects invalid values at start-up.
    public init(reader: ConfigReader) throws {
        self.init()
        host = reader.string(forKey: "host", default: host)
        port = reader.int(forKey: "port", default: port)
        dataDir = reader.string(forKey: "dataDir", default: dataDir)
        apiKey = reader.string(forKey: "apiKey", isSecret: true)
        webDir = reader.string(forKey: "webDir")
        otlpGrpcPort = reader.int(forKey: "otlpGrpcPort", default: otlpGrpcPort)
        orphanGraceSeconds = reader.double(forKey: "orphanGraceSeconds", default: orphanGraceSeconds)
        ingestMaxLagSeconds = reader.double(forKey: "ingestMaxLagSeconds", default: ingestMaxLagSeconds)
        if let webDir, !FileManager.default.fileExists(atPath: webDir + "/index.html") {
            throw ConfigError("web dir '\(webDir)' has no index.html")
        }
        adminEmail = reader.string(forKey: "adminEmail", default: adminEmail)
        adminPassword = reader.string(forKey: "adminPassword", isSecret: true)
        sessionHours = reader.int(forKey: "sessionHours", default: sessionHours)
        publicURL = reader.string(forKey: "publicURL").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        guard (1...24 * 365).contains(sessionHours) else { throw ConfigError("session hours must be between 1 and 8760") }
        if let adminPassword, adminPassword.count < Passwords.minimumLength {
            throw ConfigError("the admin password must be at least \(Passwords.minimumLength) characters")
        }
        if let issuer = reader.string(forKey: "oidcIssuer") {
            guard let clientId = reader.string(forKey: "oidcClientId"), let secret = reader.string(forKey: "oidcClientSecret", isSecret: true) else {
                throw ConfigError("OpenID Connect needs the issuer, a client id and a client secret")
            }
            guard issuer.hasPrefix("https://") || issuer.hasPrefix("http://") else { throw ConfigError("the OIDC issuer must be an http(s) URL") }
            var role: WorkspaceRole?
            if let r = reader.string(forKey: "oidcAutoProvisionRole") {
                guard let parsed = WorkspaceRole(reference: r) else { throw ConfigError("OIDC auto-provision role '\(r)' is not viewer, editor or admin") }
                role = parsed
            }
            oidc = OIDCSettings(issuer: issuer, clientId: clientId, clientSecret: secret, displayName: reader.string(forKey: "oidcName", default: "SSO"),
                                publicURL: publicURL, autoProvisionRole: role)
        }
        let level = reader.string(forKey: "logLevel", default: "info")
        guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
            throw ConfigError("log level '\(level)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = parsed
        guard (0...65535).contains(port) else { throw ConfigError("port \(port) is out of range") }
        guard (0...65535).contains(otlpGrpcPort) else { throw ConfigError("OTLP gRPC port \(otlpGrpcPort) is out of range") }
        guard otlpGrpcPort == 0 || otlpGrpcPort != port || port == 0 else {
            throw ConfigError("the OTLP gRPC port must differ from the HTTP port \(port)")
        }
        guard ingestMaxLagSeconds.isFinite, ingestMaxLagSeconds >= 0 else {
            throw ConfigError("ingest max lag must be a non-negative number of seconds")
        }
        guard orphanGraceSeconds.isFinite, orphanGraceSeconds >= 0 else {
            throw ConfigError("orphan grace seconds must be a non-negative number")
        }
        guard !host.isEmpty else { throw ConfigError("host must not be empty") }
        guard !dataDir.isEmpty else { throw ConfigError("data dir must not be empty") }
        if let apiKey, apiKey.count < 16 {
            throw ConfigError("the API key must be at least 16 characters")
        }
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
