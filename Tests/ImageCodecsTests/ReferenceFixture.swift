import Foundation
import ImageCodecs
import TestSupport

/// The committed reference decodes (Tests/Fixtures/codecs/reference.json, made by
/// scripts/fixtures/codecs_reference.py from pypng and Pillow) and the same summary computed from our `Image`.
struct ReferenceDecode: Decodable {
    var ok: Bool
    var error: String?
    var width: Int?
    var height: Int?
    var colorChannels: Int?
    var hasAlpha: Bool?
    var bitDepth: Int?
    var fnv1a64: String?
    /// Per plane (colour planes, then alpha): mean in [0, 1].
    var means: [Double]?
    /// JPEG only, per plane: 8x8 block means in [0, 1].
    var grid: [[Double]]?
}

enum Reference {
    struct File: Decodable {
        /// Keyed by path under shared/testdata.
        var files: [String: ReferenceDecode]
        /// Keyed by path under Tests/Fixtures: JPEG variants the script generated.
        var generated: [String: ReferenceDecode]
    }

    static let file: File? = {
        let url = TestPaths.fixtures.appendingPathComponent("codecs/reference.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(File.self, from: data)
    }()

    static let all: [String: ReferenceDecode] = file?.files ?? [:]
    static let generated: [String: ReferenceDecode] = file?.generated ?? [:]

    /// Relative paths (under shared/testdata) of reference entries whose path starts with `prefix`, sorted.
    static func paths(_ prefix: String, suffix: String = "") -> [String] {
        all.keys.filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted()
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: TestPaths.testdata.appendingPathComponent(path)))
    }

    static func fixtureBytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: TestPaths.fixtures.appendingPathComponent(path)))
    }
}

/// The reference script's summary of an image: samples quantized back to the source bit depth.
struct DecodeSummary: Equatable {
    var width: Int
    var height: Int
    var colorChannels: Int
    var hasAlpha: Bool
    var bitDepth: Int
    var fnv1a64: String
    var grid: [[Double]]

    init(_ image: Image) {
        width = image.width
        height = image.height
        colorChannels = image.colorChannels
        hasAlpha = image.alpha != nil
        bitDepth = image.sourceBitDepth
        let maxValue: Float = image.sourceBitDepth == 16 ? 65535 : 255
        let n = image.pixelCount
        var planes: [ArraySlice<Float>] = (0..<image.colorChannels).map { image.color[$0 * n..<($0 + 1) * n] }
        if let alpha = image.alpha { planes.append(alpha[...]) }
        // FNV-1a 64 over each sample as 2 little-endian bytes, matching fnv1a64() in the script.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for plane in planes {
            plane.withUnsafeBufferPointer { plane in
                for v in plane {
                    let k = UInt16((v * maxValue).rounded())
                    hash = (hash ^ UInt64(k & 0xFF)) &* 0x100_0000_01B3
                    hash = (hash ^ UInt64(k >> 8)) &* 0x100_0000_01B3
                }
            }
        }
        fnv1a64 = String(hash, radix: 16).leftPadded(to: 16)
        grid = planes.map { Self.gridMeans($0, width: image.width, height: image.height) }
    }

    static func gridMeans(_ plane: ArraySlice<Float>, width: Int, height: Int, cells: Int = 8) -> [Double] {
        plane.withUnsafeBufferPointer { plane in
            var out: [Double] = []
            for gy in 0..<cells {
                let y0 = gy * height / cells
                let y1 = max((gy + 1) * height / cells, y0 + 1)
                for gx in 0..<cells {
                    let x0 = gx * width / cells
                    let x1 = max((gx + 1) * width / cells, x0 + 1)
                    var sum = 0.0
                    for y in y0..<y1 { for x in x0..<x1 { sum += Double(plane[y * width + x]) } }
                    out.append(sum / Double((y1 - y0) * (x1 - x0)))
                }
            }
            return out
        }
    }

    /// Largest difference between corresponding grid cells of two summaries.
    func maxGridDifference(_ other: [[Double]]) -> Double {
        zip(grid, other).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? .infinity
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
