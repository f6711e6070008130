import Evaluation
import ImageCodecs

/// Geometric self-ensemble (Lim et al., EDSR, CVPR-W 2017; Timofte et al., "Seven ways to improve example-based
/// single image super resolution", CVPR 2016): upscale the 8 flips and 90-degree rotations of the input, undo each
/// on its output and average. 8x the compute for a fraction of a dB, at no training cost.
struct Dihedral {
    /// Quarter turns clockwise (0-3), applied after the optional horizontal flip.
    let turns: Int
    let flip: Bool

    static let all = (0..<8).map { Dihedral(turns: $0 % 4, flip: $0 >= 4) }

    /// The transform of planar `planes` (channel-major, `width x height` each): flip, then turn.
    func apply(_ planes: [Float], width: Int, height: Int) -> (planes: [Float], width: Int, height: Int) {
        var result = (planes: flip ? Self.flipped(planes, width: width, height: height) : planes, width, height)
        for _ in 0..<turns { result = Self.turned(result.planes, width: result.1, height: result.2) }
        return (result.planes, result.1, result.2)
    }

    /// The inverse transform: turn back (4 - turns quarter turns), then flip.
    func invert(_ planes: [Float], width: Int, height: Int) -> [Float] {
        var result = (planes: planes, width, height)
        for _ in 0..<(4 - turns) % 4 { result = Self.turned(result.planes, width: result.1, height: result.2) }
        return flip ? Self.flipped(result.planes, width: result.1, height: result.2) : result.planes
    }

    /// Mirror left-right.
    static func flipped(_ planes: [Float], width: Int, height: Int) -> [Float] {
        var out = planes
        let plane = width * height
        for c in 0..<planes.count / plane {
            for y in 0..<height {
                let row = c * plane + y * width
                for x in 0..<width { out[row + x] = planes[row + width - 1 - x] }
            }
        }
        return out
    }

    /// One quarter turn clockwise: the result is `height` wide; its pixel (x', y') is the input's (y', h - 1 - x').
    static func turned(_ planes: [Float], width: Int, height: Int) -> ([Float], Int, Int) {
        var out = planes
        let plane = width * height
        for c in 0..<planes.count / plane {
            let base = c * plane
            for y in 0..<width {
                for x in 0..<height { out[base + y * height + x] = planes[base + (height - 1 - x) * width + y] }
            }
        }
        return (out, height, width)
    }
}

extension SRModel {
    /// `upscale` averaged over the eight flips and rotations of the input (`Dihedral`): about 8x the time,
    /// tiled like a single pass. Colour is averaged; gray and alpha are handled as in `upscale`, and so is
    /// `isCancelled` (asked between tiles and between the eight passes).
    public func upscaleEnsemble(
        _ image: Image, scale: Int? = nil, tileSize: Int? = nil, memoryBudget: Int = SRModel.defaultMemoryBudget,
        progress: ((Int, Int) -> Void)? = nil, isCancelled: (() -> Bool)? = nil
    ) throws(InferenceError) -> Image {
        let s = scale ?? description.scale
        let rgb = image.rgb()
        var sum: [Float]? = nil
        for (index, transform) in Dihedral.all.enumerated() {
            let (planes, w, h) = transform.apply(rgb.color, width: rgb.width, height: rgb.height)
            let input = Image(width: w, height: h, colorChannels: 3, color: planes)
            if index > 0, isCancelled?() == true { throw .cancelled }
            let output = try upscale(
                input, scale: s, tileSize: tileSize, memoryBudget: memoryBudget,
                progress: { done, total in progress?(index * total + done, 8 * total) }, isCancelled: isCancelled)
            let back = transform.invert(output.color, width: output.width, height: output.height)
            if sum == nil { sum = back } else { for i in back.indices { sum![i] += back[i] } }
        }
        let (ow, oh) = (image.width * s, image.height * s)
        var color = sum!.map { $0 / 8 }
        if image.colorChannels == 1 {
            let plane = ow * oh
            color = (0..<plane).map { (color[$0] + color[plane + $0] + color[2 * plane + $0]) / 3 }
        }
        let alpha = image.alpha.map { BicubicUpscale.upscale($0, width: image.width, height: image.height, scale: s) }
        return Image(
            width: ow, height: oh, colorChannels: image.colorChannels, color: color, alpha: alpha,
            sourceBitDepth: image.sourceBitDepth)
    }
}
