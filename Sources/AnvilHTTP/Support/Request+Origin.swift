import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    static let forwardedProto = HTTPField.Name("x-forwarded-proto")!

    /// `scheme://host[:port]` as the client addressed this server (the Host header, which HTTP/1
    /// requests carry as their authority, and `X-Forwarded-Proto` behind a TLS proxy), for absolute URLs handed back to it; "" when the
    /// host is missing or not a plain host name, which makes such URLs relative.
    var origin: String {
        guard let host = head.authority, !host.isEmpty, host.count <= 255,
            host.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || ".-:[]_".unicodeScalars.contains($0) })
        else { return "" }
        let scheme = headers[Self.forwardedProto]?.lowercased() == "https" ? "https" : "http"
        return "\(scheme)://\(host)"
    }
}
