import Foundation

/// Each precision mode's PSNR change against fp32 for one weight file, measured by `binsr gate` (Set5 and Set14 at
/// every scale the file serves, the paper's protocol) and stored beside the weights as `<name>.gate.json`. It
/// travels with the model: `auto` may only pick a mode whose every recorded change is within `tolerance`.
public struct QualityGate: Codable, Sendable, Equatable {
    /// dB: the largest PSNR change (either sign) a mode may show on any recorded set to be chosen automatically.
    public static let tolerance = 0.02

    /// The weights these numbers belong to (`WeightsFingerprint`); a gate of other weights is ignored.
    public var weights: String
    /// fp32 PSNR per "Set5_x4"-style key.
    public var fp32: [String: Double]
    /// mode name -> key -> PSNR change against fp32 (dB).
    public var changes: [String: [String: Double]]

    public init(weights: String, fp32: [String: Double], changes: [String: [String: Double]]) {
        self.weights = weights
        self.fp32 = fp32
        self.changes = changes
    }

    /// Whether `auto` may use `mode`: fp32 always; another mode only with a change recorded for every fp32 key,
    /// each within the tolerance (a mode never measured is never chosen).
    public func admits(_ mode: Precision) -> Bool {
        if mode == .fp32 { return true }
        guard let recorded = changes[mode.rawValue], !fp32.isEmpty else { return false }
        return fp32.keys.allSatisfy { key in recorded[key].map { abs($0) <= Self.tolerance } ?? false }
    }

    /// `models/x.safetensors` -> `models/x.gate.json`.
    public static func url(forWeights weights: URL) -> URL {
        weights.deletingPathExtension().appendingPathExtension("gate.json")
    }

    /// The gate stored beside `weights`, when there is one for exactly these weights.
    public static func load(forWeights weights: URL, fingerprint: String) -> QualityGate? {
        guard let data = try? Data(contentsOf: url(forWeights: weights)),
            let gate = try? JSONDecoder().decode(QualityGate.self, from: data), gate.weights == fingerprint
        else { return nil }
        return gate
    }

    public func write(forWeights weights: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: Self.url(forWeights: weights), options: .atomic)
    }
}

/// A content fingerprint of a weight file (size and 64-bit FNV-1a of its bytes): what the quality gate and the
/// precision cache are keyed by, so retrained weights are measured again.
public enum WeightsFingerprint {
    public static func of(_ url: URL) throws -> String {
        let data = try Data(contentsOf: url, options: .mappedIfSafe)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        data.withUnsafeBytes { bytes in
            for byte in bytes {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        return "\(data.count)-" + String(hash, radix: 16)
    }
}
