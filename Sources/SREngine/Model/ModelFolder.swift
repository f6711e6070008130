import Foundation

/// A folder of weight files, read once: which file serves which network, kind and scale (an x4 LapSRN also serves
/// x2 from its first level, unless an x2 file exists), and which files could not be read. The one place that decides
/// what counts as a weight file and how files are named; the service, `binsr models`, `gate`, `upscale` and `eval`
/// all go through it.
public struct ModelFolder: Sendable {
    /// What a weight file serves.
    public struct Key: Hashable, Sendable, CustomStringConvertible {
        public let arch: Architecture
        public let kind: WeightKind
        public let scale: Int

        public init(arch: Architecture, kind: WeightKind, scale: Int) {
            self.arch = arch
            self.kind = kind
            self.scale = scale
        }

        public var description: String { "\(arch.rawValue)-\(kind.rawValue)-x\(scale)" }
    }

    /// A served model: its file and what the file's header says (a derived LapSRN level shares its file).
    public struct Entry: Sendable {
        public let key: Key
        public let url: URL
        public let description: ModelDescription
        /// True for a LapSRN's coarser level served from a larger file.
        public let derived: Bool
    }

    /// A file that looked like weights but could not be read.
    public struct Unreadable: Sendable {
        public let file: String
        /// The model a canonical file name promises, if it has one.
        public let key: Key?
        /// Why, naming the file but not its folder (what a client may see).
        public let reason: String
    }

    public let directory: URL
    public let entries: [Entry]
    /// Unreadable files whose model no other file serves (the rest only matter to the log: `skipped`).
    public let unreadable: [Unreadable]
    /// Files not served: unreadable ones, and a second file of a kind already served (`file`, reason).
    public let skipped: [(file: String, reason: String)]

    /// `<arch>_x<scale>_<real|binary>.safetensors`: the canonical name, which wins over any other file of its kind.
    public static func name(arch: Architecture, kind: WeightKind, scale: Int) -> String {
        "\(arch.rawValue)_x\(scale)_\(kind.rawValue).safetensors"
    }

    /// Whether a file of a models folder holds weights: golden-vector I/O and training-state files sit beside them.
    public static func isWeightFile(_ name: String) -> Bool {
        name.hasSuffix(".safetensors") && !name.hasSuffix(".io.safetensors") && !name.hasSuffix(".train.safetensors")
    }

    /// The weight files of `directory`, by name (no header read).
    public static func weightFiles(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter(isWeightFile).sorted()
    }

    /// The file that upscales by `scale`, by name alone (no header read): its own, else (LapSRN) one of a larger
    /// scale whose coarser level does.
    public static func locate(in directory: URL, arch: Architecture, kind: WeightKind, scale: Int) -> URL? {
        let scales = arch == .lapsrn ? [scale, 2 * scale, 4 * scale] : [scale]
        return scales.lazy.map { directory.appendingPathComponent(name(arch: arch, kind: kind, scale: $0)) }
            .first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Reads every weight file's header. One unreadable file (a truncated copy, garbage) does not keep the good
    /// ones from being served; two files of one kind: the canonical name wins, else the first by name.
    public init(directory: URL) {
        self.directory = directory
        var canonical: [String: Key] = [:]
        for arch in Architecture.allCases {
            for scale in [2, 4] {
                for kind in WeightKind.allCases {
                    canonical[Self.name(arch: arch, kind: kind, scale: scale)] = Key(arch: arch, kind: kind, scale: scale)
                }
            }
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter(Self.isWeightFile)
            .sorted { (canonical[$0] == nil ? 1 : 0, $0) < (canonical[$1] == nil ? 1 : 0, $1) }
        var entries: [Entry] = []
        var unreadable: [Unreadable] = []
        var skipped: [(file: String, reason: String)] = []
        for name in names {
            let url = directory.appendingPathComponent(name)
            let description: ModelDescription
            do {
                description = try ModelWeights(contentsOf: url).description
            } catch {
                let reason = error.reasonWithoutPath
                unreadable.append(Unreadable(file: name, key: canonical[name], reason: reason))
                skipped.append((name, "unreadable: \(reason)"))
                continue
            }
            let key = Key(arch: description.arch, kind: description.kind, scale: description.scale)
            if let kept = entries.first(where: { $0.key == key }) {
                skipped.append((name, "a second file for \(key); serving \(kept.url.lastPathComponent)"))
                continue
            }
            entries.append(Entry(key: key, url: url, description: description, derived: false))
        }
        // A LapSRN's coarser levels are models too (x4 also serves x2), unless a file of that scale exists.
        for entry in entries.sorted(by: { $0.key.description < $1.key.description }) {
            for scale in entry.description.scales where scale != entry.key.scale {
                let derived = Key(arch: entry.key.arch, kind: entry.key.kind, scale: scale)
                guard !entries.contains(where: { $0.key == derived }) else { continue }
                entries.append(Entry(key: derived, url: entry.url, description: entry.description, derived: true))
            }
        }
        self.entries = entries
        self.unreadable = unreadable.filter { broken in
            broken.key.map { key in !entries.contains { $0.key == key } } ?? true
        }
        self.skipped = skipped
    }

    public func entry(_ key: Key) -> Entry? { entries.first { $0.key == key } }
}
