import Foundation

extension Workspace {
    /// A workspace handle (the `owner` of its public prompts): 3–64 characters of lowercase
    /// letters, digits, `-` and `_`.
    public static func isValidHandle(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard (3...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
        }
    }
}
