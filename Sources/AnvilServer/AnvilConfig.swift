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
public struct AnvilConfig: Sendable {
    public var host: String
    public var port: Int
    public var dataDir: String
    public var apiKey: String?
    public var logLevel: Logger.Level

    public init(host: String = "127.0.0.1", port: Int = 1984, dataDir: String = "./anvil-data", apiKey: String? = nil, logLevel: Logger.Level = .info) {
        self.host = host
        self.port = port
        self.dataDir = dataDir
        self.apiKey = apiKey
        self.logLevel = logLevel
    }

    /// Reads the keys above from a reader scoped to `anvil`; rejects invalid values at start-up.
    public init(reader: ConfigReader) throws {
        self.init()
        host = reader.string(forKey: "host", default: host)
        port = reader.int(forKey: "port", default: port)
        dataDir = reader.string(forKey: "dataDir", default: dataDir)
        apiKey = reader.string(forKey: "apiKey", isSecret: true)
        let level = reader.string(forKey: "logLevel", default: "info")
        guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
            throw ConfigError("log level '\(level)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = parsed
        guard (0...65535).contains(port) else { throw ConfigError("port \(port) is out of range") }
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
