import Crypto
import Foundation
import _CryptoExtras

/// Password hashing with scrypt (memory-hard, so guessing costs attackers memory as well as time).
/// Stored as `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>` so parameters can be raised later
/// without invalidating existing hashes.
public enum Passwords {
    /// N = 2^15, r = 8, p = 1: ~32 MiB and tens of milliseconds per hash.
    public static let logRounds = 15
    public static let blockSize = 8
    public static let parallelism = 1
    public static let minimumLength = 8

    public static func hash(_ password: String) throws -> String {
        var g = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        let key = try derive(password, salt: salt, logRounds: logRounds, r: blockSize, p: parallelism)
        return "scrypt$\(logRounds)$\(blockSize)$\(parallelism)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Constant-time comparison against a stored hash; false for malformed hashes.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let n = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
            (10...20).contains(n), (1...16).contains(r), (1...4).contains(p),
            let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5]),
            let actual = try? derive(password, salt: Array(salt), logRounds: n, r: r, p: p)
        else { return false }
        let e = Array(expected)
        guard e.count == actual.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<e.count { diff |= e[i] ^ actual[i] }
        return diff == 0
    }

    static func derive(_ password: String, salt: [UInt8], logRounds: Int, r: Int, p: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: 1 << logRounds, blockSize: r, parallelism: p,
            maxMemory: 256 * 1024 * 1024)
        return key.withUnsafeBytes { Array($0) }
    }
}
