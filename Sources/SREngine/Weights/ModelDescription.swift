import Foundation

/// The network families of docs/weights-format.md.
public enum Architecture: String, Sendable, CaseIterable {
    case srresnet
    case lapsrn
}

/// What a network's convolutions hold: full-precision weights (the baseline), or binary ones, 1-bit weights with one
/// scale per output channel (Ma et al. 2019). Named as in file names and requests (`model=binary`).
public enum WeightKind: String, Sendable, CaseIterable {
    case binary
    case real
}

/// What a weight file says about its network (the `__metadata__` block of docs/weights-format.md).
public struct ModelDescription: Sendable, Equatable {
    public let arch: Architecture
    /// 2 or 4.
    public let scale: Int
    public let blocks: Int
    public let channels: Int
    public let binary: Bool
    /// Names of the binary convolutions, exactly as listed by the exporter.
    public let binaryLayers: [String]
    /// Every metadata entry, for provenance (`train_data`, `psnr_set5`, ...).
    public let metadata: [String: String]

    /// Counted from the loaded tensors by `ModelWeights`.
    public internal(set) var realParameters = 0
    public internal(set) var binaryParameters = 0
    /// Size of the weight file in bytes (0 when loaded from memory).
    public internal(set) var fileBytes = 0

    /// The factors this network can upscale by: its own, plus, for LapSRN, each coarser x2 level's (an x4 LapSRN
    /// also yields x2, trained with its own loss term).
    public var scales: [Int] {
        arch == .lapsrn ? Array(sequence(first: 2, next: { $0 * 2 }).prefix { $0 <= scale }) : [scale]
    }

    public init(metadata: [String: String]) throws(WeightsError) {
        func value(_ key: String) throws(WeightsError) -> String {
            guard let value = metadata[key] else { throw .badMetadata(key: key, reason: "missing") }
            return value
        }
        func integer(_ key: String, in range: ClosedRange<Int>) throws(WeightsError) -> Int {
            let text = try value(key)
            guard let number = Int(text), range.contains(number) else {
                throw .badMetadata(key: key, reason: "'\(text)' is not an integer in \(range)")
            }
            return number
        }
        guard try value("format") == "binsr-weights" else {
            throw .badMetadata(key: "format", reason: "expected 'binsr-weights'")
        }
        guard try value("format_version") == "1" else {
            throw .badMetadata(key: "format_version", reason: "only version 1 is supported")
        }
        let archText = try value("arch")
        guard let arch = Architecture(rawValue: archText) else {
            throw .badMetadata(key: "arch", reason: "unknown architecture '\(archText)'")
        }
        let scale = try integer("scale", in: 2...4)
        guard scale == 2 || scale == 4 else { throw .badMetadata(key: "scale", reason: "must be 2 or 4") }
        let binaryText = try value("binary")
        guard binaryText == "true" || binaryText == "false" else {
            throw .badMetadata(key: "binary", reason: "'\(binaryText)' is not true or false")
        }
        var layers: [String] = []
        if let list = metadata["binary_layers"] {
            guard let data = list.data(using: .utf8), let names = try? JSONDecoder().decode([String].self, from: data)
            else { throw .badMetadata(key: "binary_layers", reason: "not a JSON list of strings") }
            layers = names
        }
        self.arch = arch
        self.scale = scale
        self.blocks = try integer("blocks", in: 0...256)
        self.channels = try integer("channels", in: 1...4096)
        self.binary = binaryText == "true"
        self.binaryLayers = layers
        self.metadata = metadata
    }

    public var kind: WeightKind { binary ? .binary : .real }

    /// Upsampling levels: one x2 step each.
    public var levels: Int { scale == 4 ? 2 : 1 }
}
