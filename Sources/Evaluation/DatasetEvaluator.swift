/// Options of the evaluation protocol; the defaults are LapSRN's (evaluate_LapSRN_dataset.m).
public struct EvaluationOptions: Sendable, Equatable {
    /// The upscaling factor: HR is mod-cropped to it, LR = imresize(HR, 1/scale), `scale` pixels of border are
    /// shaved before scoring.
    public var scale: Int
    /// Round the LR to 8 bits before handing it to the method (the "save the LR as PNG" variant). The published
    /// LapSRN bicubic rows use the unrounded LR.
    public var roundLR: Bool
    /// IFC is by far the slowest metric (LapSRN's script makes it optional too).
    public var computeIFC: Bool
    /// SSIM border handling; `.valid` reproduces the published tables.
    public var ssimBorder: SSIMBorder

    public init(scale: Int, roundLR: Bool = false, computeIFC: Bool = true, ssimBorder: SSIMBorder = .valid)
        throws(EvaluationError)
    {
        guard (2...8).contains(scale) else { throw .invalidScale("evaluation scale must be 2...8, got \(scale)") }
        self.scale = scale
        self.roundLR = roundLR
        self.computeIFC = computeIFC
        self.ssimBorder = ssimBorder
    }
}

/// The scores of one image. PSNR is +infinity for a perfect reconstruction; `ifc` is nil when not computed.
public struct ImageScores: Sendable, Equatable, Codable {
    public let name: String
    /// Size of the mod-cropped HR image that was scored (before the border shave).
    public let width: Int
    public let height: Int
    public let psnr: Double
    public let ssim: Double
    public let ifc: Double?
}

/// The per-image scores and their means (the last row of LapSRN's tables).
public struct DatasetScores: Sendable, Equatable, Codable {
    public let method: String
    public let scale: Int
    public let roundedLR: Bool
    public let images: [ImageScores]
    public let meanPSNR: Double
    public let meanSSIM: Double
    public let meanIFC: Double?

    init(method: String, options: EvaluationOptions, images: [ImageScores]) {
        self.method = method
        self.scale = options.scale
        self.roundedLR = options.roundLR
        self.images = images
        let n = Double(images.count)
        meanPSNR = images.map(\.psnr).reduce(0, +) / n
        meanSSIM = images.map(\.ssim).reduce(0, +) / n
        let ifcs = images.compactMap(\.ifc)
        meanIFC = ifcs.count == images.count ? ifcs.reduce(0, +) / n : nil
    }
}

/// Runs LapSRN's evaluation protocol (evaluate_LapSRN_dataset.m + utils/evaluate_SR.m) for one method:
/// HR -> mod-crop -> LR = imresize(HR, 1/s) -> method -> uint8 -> Y of rgb2ycbcr -> shave s -> PSNR, SSIM, IFC.
public struct DatasetEvaluator: Sendable {
    public let options: EvaluationOptions

    public init(options: EvaluationOptions) {
        self.options = options
    }

    /// Scores `method` on one HR image (RGB, 0...1 scale, any size: it is mod-cropped here).
    public func evaluate(hr original: RGBPlanes, name: String, method: some SuperResolutionMethod)
        throws(EvaluationError) -> ImageScores
    {
        let s = options.scale
        let hr = try modCrop(original, scale: s)
        guard hr.width > 2 * s, hr.height > 2 * s else {
            throw .imageTooSmall("\(name): \(hr.width)x\(hr.height) leaves nothing after shaving \(s) pixels")
        }
        var lr = try imresize(hr, scale: 1 / Double(s))
        if options.roundLR { lr = quantizeToUInt8(lr).planes() }
        let output: RGB8Image
        do {
            output = try method.upscale(lr: lr, scale: s)
        } catch {
            throw .methodFailed(method: method.name, reason: "\(name): \(error)")
        }
        guard output.width == hr.width, output.height == hr.height else {
            throw .methodFailed(
                method: method.name,
                reason: "\(name): returned \(output.width)x\(output.height) "
                    + "for a \(lr.width)x\(lr.height) input at x\(s), expected \(hr.width)x\(hr.height)")
        }
        // The ground truth is 8-bit already; LapSRN's evaluate_SR quantises both sides with im2uint8 anyway.
        let reference = try shaveBorder(rgbToY(hr), border: s)
        let test = try shaveBorder(rgbToY(output.planes()), border: s)
        let ifcValue: Double?
        if options.computeIFC {
            // LapSRN calls ifcvec on rgb2ycbcr's double output, i.e. luma on the 0...1 scale.
            ifcValue = try ifc(reference.scaled(by: 1 / 255), test.scaled(by: 1 / 255))
        } else {
            ifcValue = nil
        }
        return ImageScores(
            name: name, width: hr.width, height: hr.height, psnr: try psnr(reference, test),
            ssim: try ssim(reference, test, border: options.ssimBorder), ifc: ifcValue)
    }

    /// Scores `method` on in-memory images; `progress(done, total, name)` is called after each image.
    public func evaluate(
        images: [(name: String, hr: RGBPlanes)], method: some SuperResolutionMethod,
        progress: ((Int, Int, String) -> Void)? = nil
    ) throws(EvaluationError) -> DatasetScores {
        guard !images.isEmpty else { throw .emptyDataset("no images to evaluate") }
        var scores: [ImageScores] = []
        for (i, image) in images.enumerated() {
            scores.append(try evaluate(hr: image.hr, name: image.name, method: method))
            progress?(i + 1, images.count, image.name)
        }
        return DatasetScores(method: method.name, options: options, images: scores)
    }
}
