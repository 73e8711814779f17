import Foundation

/// The web UI's files (`Web/ui`), shipped as a SwiftPM resource next to the binary.
public enum WebAssets {
    /// The bundled `ui` directory, when the resource bundle is present.
    public static var bundledDirectory: String? {
        guard let url = Bundle.module.url(forResource: "ui", withExtension: nil) else { return nil }
        return url.path
    }
}
