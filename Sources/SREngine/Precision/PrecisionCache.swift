import CDNNL
import Foundation

/// Where `auto` remembers its choices, so a restart does not measure again: one JSON file of
/// `signature -> PrecisionChoice`. The signature names everything that can change the answer: the CPU (model name
/// and flags), the instruction set oneDNN dispatches to, the oneDNN and cache versions, the thread count and the
/// weights' fingerprint; any change is a miss and a new measurement.
public struct PrecisionCache: Sendable {
    public let file: URL

    /// `BINSR_PRECISION_CACHE`, else `$XDG_CACHE_HOME/binsr/precision.json`, else `~/.cache/binsr/precision.json`.
    public static var defaultFile: URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["BINSR_PRECISION_CACHE"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let base = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("binsr/precision.json")
    }

    public init(file: URL = PrecisionCache.defaultFile) { self.file = file }

    public func lookup(_ signature: String) -> PrecisionChoice? { entries()[signature] }

    /// Stores a choice (read-modify-write through a temporary file; a cache that cannot be written only costs a
    /// measurement at the next start).
    public func store(_ choice: PrecisionChoice, for signature: String) {
        var all = entries()
        all[signature] = choice
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(all) else { return }
        try? FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: file, options: .atomic)
    }

    private func entries() -> [String: PrecisionChoice] {
        guard let data = try? Data(contentsOf: file) else { return [:] }
        return (try? JSONDecoder().decode([String: PrecisionChoice].self, from: data)) ?? [:]
    }

    /// Bump when the engine's kernels change enough to move the timings.
    static let schema = 1

    public static func signature(weights fingerprint: String, cpu: String = CPUSignature.current) -> String {
        let version = dnnl_version().pointee
        let onednn = "\(version.major).\(version.minor).\(version.patch)"
        let isa = dnnl_get_effective_cpu_isa().rawValue
        let threads = ProcessInfo.processInfo.activeProcessorCount
        return "v\(schema)|\(cpu)|isa \(isa)|onednn \(onednn)|threads \(threads)|weights \(fingerprint)"
    }
}

/// The CPU model name and a fingerprint of its feature flags (from /proc/cpuinfo; "unknown" elsewhere).
public enum CPUSignature {
    public static let current: String = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        func field(_ name: String) -> String {
            text.split(separator: "\n").first { $0.hasPrefix(name) }
                .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "?"
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in field("flags").utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "\(field("model name")) flags \(String(hash, radix: 16))"
    }()

    /// What a person reads in logs and tables: the model name and whether AMX, AVX512-BF16 and VNNI are present.
    public static let summary: String = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        let lines = text.split(separator: "\n")
        let name = lines.first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "?"
        let flags = Set(
            (lines.first { $0.hasPrefix("flags") } ?? "").split(separator: ":").last?.split(separator: " ")
                .map(String.init) ?? [])
        func mark(_ label: String, _ flag: String) -> String { "\(label) \(flags.contains(flag) ? "yes" : "no")" }
        return "\(name) (\(mark("AMX", "amx_tile")), \(mark("AVX512-BF16", "avx512_bf16")), "
            + "\(mark("VNNI", "avx512_vnni")), \(ProcessInfo.processInfo.activeProcessorCount) cores)"
    }()
}
