import AnvilAuth
import AnvilCore
import AnvilStorage
import Foundation

/// Loads the per-run extras a response needs (children, feedback stats, share tokens, signed
/// attachment URLs) in batched queries, and writes runs as JSON.
struct RunReader: Sendable {
    let traces: any TraceStore
    let shares: any ShareStore
    let signer: URLSigner
    /// Lifetime of signed attachment URLs.
    var urlLifetime: Int64 = 3600

    func extras(for runs: [Run], fields: Set<String>, tenantId: UUID) async throws -> [UUID: RunExtras] {
        var out: [UUID: RunExtras] = [:]
        for r in runs { out[r.id] = RunExtras() }
        let ids = runs.map(\.id)
        if !fields.isDisjoint(with: RunJSON.childFields) {
            let children = try await traces.childRunIds(of: ids, tenantId: tenantId)
            for id in ids { out[id]?.childRunIds = children[id] ?? [] }
        }
        if fields.contains("feedback_stats") {
            let stats = try await traces.feedbackStats(runIds: ids, tenantId: tenantId)
            for (id, s) in stats { out[id]?.feedbackStats = s }
        }
        if fields.contains("share_token") && runs.count <= 10 {
            for r in runs { out[r.id]?.shareToken = try await shares.runShare(runId: r.id, tenantId: tenantId)?.token }
        }
        if fields.contains("s3_urls") {
            let expires = Int64(Date().timeIntervalSince1970) + urlLifetime
            for r in runs {
                for a in r.attachments {
                    out[r.id]?.attachmentURLs[a.name] = (attachmentURL(key: a.key, expires: expires), a.mimeType)
                }
            }
        }
        return out
    }

    /// A relative URL the SDK joins onto its API base and fetches without auth.
    func attachmentURL(key: String, expires: Int64) -> String {
        let token = signer.sign(key, expires: expires)
        let encodedKey = key.split(separator: "/").map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0) }.joined(separator: "/")
        return "/api/v1/public/\(encodedKey)?token=\(token)"
    }

    func write(_ runs: [Run], fields: Set<String>, tenantId: UUID, into w: inout JSONWriter) async throws {
        let extras = try await extras(for: runs, fields: fields, tenantId: tenantId)
        w.beginArray()
        for r in runs { RunJSON.write(r, fields: fields, extras: extras[r.id] ?? RunExtras(), into: &w) }
        w.endArray()
    }

    func one(_ run: Run, tenantId: UUID) async throws -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        let fields = RunJSON.defaultFields
        let extras = try await extras(for: [run], fields: fields, tenantId: tenantId)
        RunJSON.write(run, fields: fields, extras: extras[run.id] ?? RunExtras(), into: &w)
        return w.bytes
    }
}
