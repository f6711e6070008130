import Evaluation
import ImageCodecs

extension SRModel {
    /// Largest input edge accepted, so `width * height * scale^2` cannot overflow a buffer size.
    public static let maxInputEdge = 1 << 15

    /// Receptive-field radius of the network in input pixels: the margin each tile carries.
    public var tileMargin: Int { weights.network.receptiveFieldRadius }

    /// Default activation memory of one upscale call (`tileSize(width:height:memoryBudget:)`): two workers of the
    /// Kubernetes Deployment (2560 MiB) then hold 1 GiB of activations beside their images and the runtime.
    public static let defaultMemoryBudget = 512 << 20

    /// Upper estimate of the activation bytes per input pixel of one pass: the widest maps live at the output
    /// resolution (C f32 channels at scale^2 pixels per input pixel), with 25% for the maps alive beside them.
    /// Measured peak RSS growth (SRResNet x4, fp32, whole-image passes of 128-384 px): 3.5 KiB per input pixel,
    /// under this estimate's 5 KiB.
    public var bytesPerInputPixel: Int {
        let d = description
        return 4 * d.channels * d.scale * d.scale * 5 / 4 + 64
    }

    /// The tile core edge for an image within `memoryBudget` bytes of activations: the whole image in one pass when
    /// it fits (no margin computed at all), else the largest cores whose windows (core + 2 margins) fit. The fewest
    /// pixels are computed that way: a 256x256 x4 input was four 178-pixel windows (1.93x the work) at a fixed 192.
    public func tileSize(width: Int, height: Int, memoryBudget: Int = SRModel.defaultMemoryBudget) -> Int {
        let pixels = memoryBudget / bytesPerInputPixel
        if width * height <= pixels { return max(width, height, 8) }
        let window = Int(Double(pixels).squareRoot())
        return max(32, window - 2 * tileMargin)
    }

    /// Upscales `image` by `scale` (default: the model's; any of `description.scales`), tile by tile, and returns
    /// colour clamped to [0, 1].
    ///
    /// Grayscale input runs on replicated RGB and comes back as the mean of the three output channels (the network
    /// is trained on RGB; for a gray input the channels differ only by model noise, so the mean is the least-biased
    /// estimate). Alpha is upscaled with bicubic resampling. `sourceBitDepth` is kept so 16-bit sources stay 16-bit.
    /// `progress(done, total)` is called after each tile, on the calling thread. Safe to call concurrently.
    /// `isCancelled` is asked before each tile after the first; when it answers true the call throws `.cancelled`
    /// (so Ctrl-C in the CLI stops after the tile in flight, not mid-tile). It comes after `progress` so that a
    /// trailing closure stays the progress callback.
    /// `tileSize` nil: sized by `memoryBudget` (`tileSize(width:height:memoryBudget:)`).
    public func upscale(
        _ image: Image, scale: Int? = nil, tileSize: Int? = nil, memoryBudget: Int = SRModel.defaultMemoryBudget,
        progress: ((Int, Int) -> Void)? = nil, isCancelled: (() -> Bool)? = nil
    ) throws(InferenceError) -> Image {
        let tile = tileSize ?? self.tileSize(width: image.width, height: image.height, memoryBudget: memoryBudget)
        return try upscale(
            image, scale: scale, tileSize: tile, margin: tileMargin, progress: progress, isCancelled: isCancelled)
    }

    /// `margin` is a parameter only so tests can show that a margin below the receptive field breaks equivalence.
    func upscale(
        _ image: Image, scale: Int? = nil, tileSize: Int, margin: Int, progress: ((Int, Int) -> Void)?,
        isCancelled: (() -> Bool)? = nil
    ) throws(InferenceError) -> Image {
        guard image.width > 0 && image.height > 0 else { throw .invalidInput("empty image") }
        guard image.width <= Self.maxInputEdge && image.height <= Self.maxInputEdge else {
            throw .invalidInput("image edge over \(Self.maxInputEdge) pixels")
        }
        guard tileSize >= 8 else { throw .invalidInput("tile size \(tileSize) is below 8") }
        let s = scale ?? description.scale
        guard let level = description.scales.firstIndex(of: s) else {
            throw .invalidInput("this \(description.arch.rawValue) model upscales by \(description.scales), not \(s)")
        }
        // SRResNet has one output; a LapSRN stops at the level of `s`. (The margin stays the whole network's: an
        // upper bound for fewer levels.)
        let levels = description.arch == .lapsrn ? level + 1 : nil
        let (width, height) = (image.width, image.height)
        let input = Tensor(channels: 3, height: height, width: width, data: image.rgb().color)
        let plan = TilePlan(height: height, width: width, tile: tileSize, margin: margin)
        let (ow, oh) = (width * s, height * s)
        var color = [Float](repeating: 0, count: 3 * ow * oh)
        for (done, tile) in plan.tiles.enumerated() {
            if done > 0, isCancelled?() == true { throw .cancelled }
            let window = input.cropped(rows: tile.window.y, columns: tile.window.x)
            let output = try forward(window, levels: levels).last!
            let rowOffset = (tile.core.y.lowerBound - tile.window.y.lowerBound) * s
            let columnOffset = (tile.core.x.lowerBound - tile.window.x.lowerBound) * s
            for c in 0..<3 {
                for y in 0..<tile.core.y.count * s {
                    let source = (c * output.height + rowOffset + y) * output.width + columnOffset
                    let target = (c * oh + tile.core.y.lowerBound * s + y) * ow + tile.core.x.lowerBound * s
                    for x in 0..<tile.core.x.count * s { color[target + x] = min(max(output.data[source + x], 0), 1) }
                }
            }
            progress?(done + 1, plan.tiles.count)
        }
        if image.colorChannels == 1 {
            let plane = ow * oh
            color = (0..<plane).map { (color[$0] + color[plane + $0] + color[2 * plane + $0]) / 3 }
        }
        let alpha = image.alpha.map { BicubicUpscale.upscale($0, width: width, height: height, scale: s) }
        return Image(
            width: ow, height: oh, colorChannels: image.colorChannels, color: color, alpha: alpha,
            sourceBitDepth: image.sourceBitDepth)
    }
}
