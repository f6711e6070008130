import Foundation

/// The inputs and the architecture/scale combinations a study draws its pairs from.
///
/// Inputs are image files found once, at startup, in a fixed list of folders (the bundled samples and any folder the
/// operator configures); a pair stores only the input's catalogue name, never a client-supplied path, so a vote or
/// an image request cannot make the server read an arbitrary file.
public struct StudyCatalog: Sendable {
    /// One architecture and scale for which both a real and a binary model exist.
    public struct Variant: Sendable, Hashable, Codable {
        public let arch: String
        public let scale: Int

        public init(arch: String, scale: Int) {
            self.arch = arch
            self.scale = scale
        }
    }

    /// An input image: a stable name (`<label>/<file name>`) and where it lives.
    public struct Input: Sendable, Hashable {
        public let name: String
        public let url: URL
    }

    /// What a new pair shows; the store records it with a fresh id.
    public struct Draw: Sendable, Equatable {
        public let input: String
        public let variant: Variant
        public let realOnLeft: Bool
    }

    public let inputs: [Input]
    public let variants: [Variant]
    private let inputsByName: [String: Input]

    /// File name extensions accepted as study inputs.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "webp"]

    public init(inputs: [Input], variants: [Variant]) {
        self.inputs = inputs
        self.variants = variants
        inputsByName = Dictionary(inputs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Lists the image files directly inside each folder (not recursively, hidden files skipped), in name order.
    ///
    /// `folders` pairs a label with a directory; names become `label/file`. A missing folder throws, so a typo in the
    /// operator's configuration fails at startup instead of silently shrinking the study.
    public static func scan(folders: [(label: String, directory: URL)], variants: [Variant]) throws -> StudyCatalog {
        var inputs: [Input] = []
        for (label, directory) in folders {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            for name in names where !name.hasPrefix(".") {
                guard imageExtensions.contains((name as NSString).pathExtension.lowercased()) else { continue }
                inputs.append(Input(name: "\(label)/\(name)", url: directory.appendingPathComponent(name)))
            }
        }
        return StudyCatalog(inputs: inputs, variants: variants)
    }

    public func input(named name: String) -> Input? { inputsByName[name] }

    /// A uniformly random input, variant and placement; nil when there is nothing to compare.
    public func draw<R: RandomNumberGenerator>(using generator: inout R) -> Draw? {
        guard let input = inputs.randomElement(using: &generator),
            let variant = variants.randomElement(using: &generator)
        else { return nil }
        return Draw(input: input.name, variant: variant, realOnLeft: Bool.random(using: &generator))
    }

    public func draw() -> Draw? {
        var generator = SystemRandomNumberGenerator()
        return draw(using: &generator)
    }
}
