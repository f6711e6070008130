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

    /// `isCancelled` is asked after each tile (through the engine's progress callback, which may throw): a
    /// cancelled image stops after the tile in flight, not mid-tile; one whose last tile is done completes.
    func upscale(
        _ image: Image, memoryBudget: Int, isCancelled: (() -> Bool)? = nil, progress: @escaping (Int, Int) -> Void
    ) throws(InferenceError) -> Image {
        let report = { (done: Int, total: Int) throws(InferenceError) in
            progress(done, total)
            if done < total, isCancelled?() == true { throw .cancelled }
        }
        return ensemble
            ? try model.upscaleEnsemble(
                image, scale: scale, tileSize: tileSize, memoryBudget: memoryBudget, progress: report)
            : try model.upscale(image, scale: scale, tileSize: tileSize, memoryBudget: memoryBudget, progress: report)
    }

    func encode(_ image: Image) throws(ImageCodecError) -> [UInt8] {
        switch format {
        case .png: return try encodePNG(image)
        case .jpeg: return try encodeJPEG(image, options: JPEGOptions(quality: quality))
        case .webp: return try encodeWebP(image, options: WebPOptions(quality: quality, lossless: lossless))
        }
    }
}
