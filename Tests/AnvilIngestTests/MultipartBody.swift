/// Builds `multipart/form-data` bodies byte for byte as the LangSmith SDKs send them.
struct MultipartBody {
    enum Style {
        /// Python: `Content-Type` plus a per-part `Content-Length` header.
        case python
        /// JS: the length as a `length=` parameter of the part's `Content-Type`, no `Content-Length`.
        case javascript
    }

    var boundary: String
    var style: Style
    private var bytes: [UInt8] = []

    init(boundary: String = "a4c0e1b2d3f4a5b6c7d8e9f0a1b2c3d4", style: Style = .python) {
        self.boundary = boundary
        self.style = style
    }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func add(_ name: String, contentType: String = "application/json", _ body: [UInt8]) {
        var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n"
        switch style {
        case .python: head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\r\n"
        case .javascript: head += "Content-Type: \(contentType); length=\(body.count)\r\n\r\n"
        }
        bytes += Array(head.utf8) + body + [0x0D, 0x0A]
    }

    mutating func add(_ name: String, json: String) { add(name, Array(json.utf8)) }

    /// The body with its closing delimiter.
    var finished: [UInt8] { bytes + Array("--\(boundary)--\r\n".utf8) }
}
