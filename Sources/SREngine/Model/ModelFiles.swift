import Foundation

/// How a models folder is laid out: `<arch>_x<scale>_<real|binary>.safetensors`, where an x4 LapSRN also serves x2
/// (its first level) when no x2 file of its own exists.
public enum ModelFiles {
    public static func name(arch: String, weights: String, scale: Int) -> String {
        "\(arch)_x\(scale)_\(weights).safetensors"
    }

    /// Whether a file of a models folder holds weights: golden-vector I/O and training-state files sit beside them.
    public static func isWeightFile(_ name: String) -> Bool {
        name.hasSuffix(".safetensors") && !name.hasSuffix(".io.safetensors") && !name.hasSuffix(".train.safetensors")
    }

    /// The file that upscales by `scale`: its own, else (LapSRN) one of a larger scale whose coarser level does.
    public static func locate(in directory: URL, arch: String, weights: String, scale: Int) -> URL? {
        let scales = arch == Architecture.lapsrn.rawValue ? [scale, 2 * scale, 4 * scale] : [scale]
        return scales.lazy.map { directory.appendingPathComponent(name(arch: arch, weights: weights, scale: $0)) }
            .first { FileManager.default.fileExists(atPath: $0.path) }
    }
}
