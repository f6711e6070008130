import ImageCodecs
import SREngine

/// What every image of one `binsr upscale` shares, one file or a folder: the loaded model, how to call it, and
/// how to encode its result.
struct UpscaleJob: Sendable {
    let model: SRModel
    let scale: Int
    /// nil: sized by the memory budget each call gets.
    let tileSize: Int?
    let ensemble: Bool
    let format: ImageFormat
    let quality: Int
    let lossless: Bool

    func upscale(
        _ image: Image, memoryBudget: Int, isCancelled: (() -> Bool)? = nil, progress: @escaping (Int, Int) -> Void
    ) throws(InferenceError) -> Image {
        ensemble
            ? try model.upscaleEnsemble(
                image, scale: scale, tileSize: tileSize, memoryBudget: memoryBudget, progress: progress,
                isCancelled: isCancelled)
            : try model.upscale(
                image, scale: scale, tileSize: tileSize, memoryBudget: memoryBudget, progress: progress,
                isCancelled: isCancelled)
    }

    func encode(_ image: Image) throws(ImageCodecError) -> [UInt8] {
        switch format {
        case .png: return try encodePNG(image)
        case .jpeg: return try encodeJPEG(image, options: JPEGOptions(quality: quality))
        case .webp: return try encodeWebP(image, options: WebPOptions(quality: quality, lossless: lossless))
        }
    }
}
