import Foundation
import Imaging
import StudyStore
import UpscaleService

/// Turns a pair into the two images the voter sees: its crop of a pool image, upscaled by the real and the binary
/// network through the service's pipeline, padded to one length (PNGPadding), kept in memory (StudyImageCache).
///
/// Both images are made before the pair is handed out, so the two image requests are served from memory alike and
/// their timing cannot tell the networks apart.
struct StudyRenderer: Sendable {
    let catalog: StudyCatalog
    let coder: any ImageCoding
    let upscaler: StudyUpscaler
    let cache: StudyImageCache
    let cropSize: Int

    /// Largest pool image decoded: 24 MP, a 6000x4000 camera frame (~290 MB of float planes while cropping). Pool
    /// images are the operator's own, so this bounds a mistake, not an attack.
    static let maxSourcePixels = 24_000_000

    /// A random crop of the input for a new pair, and the crop encoded as PNG (the upscaler's input).
    func cut(_ input: StudyCatalog.Input) throws -> (crop: StudyCrop, png: [UInt8]) {
        let image = try source(input.name)
        var generator = SystemRandomNumberGenerator()
        let crop = StudyCrop.random(size: cropSize, width: image.width, height: image.height, using: &generator)
        return (crop, try encode(image.cropped(to: crop)))
    }

    /// The pair's left and right PNGs: from the cache, or made now (from `cropPNG` when the caller just cut it).
    func images(_ pair: StudyPair, cropPNG: [UInt8]? = nil) throws -> (left: [UInt8], right: [UInt8]) {
        if let left = cache.get(pair.id + "|left"), let right = cache.get(pair.id + "|right") { return (left, right) }
        let input: [UInt8]
        if let cropPNG {
            input = cropPNG
        } else {
            let image = try source(pair.input)
            // Pairs from before crops existed show the whole input.
            guard let crop = pair.crop else { return try finish(pair, input: encode(image)) }
            // The file may have been replaced by a smaller one since the pair was issued.
            guard crop.x + crop.width <= image.width, crop.y + crop.height <= image.height else {
                throw StudyHTTPError.inputGone(pair.input)
            }
            input = try encode(image.cropped(to: crop))
        }
        return try finish(pair, input: input)
    }

    private func finish(_ pair: StudyPair, input: [UInt8]) throws -> (left: [UInt8], right: [UInt8]) {
        func render(_ side: StudyChoice) throws -> [UInt8] {
            try upscaler(input, pair.arch, pair.scale, pair.model(on: side)!)
        }
        let (left, right) = PNGPadding.equalize(try render(.left), try render(.right))
        cache.put(pair.id + "|left", left)
        cache.put(pair.id + "|right", right)
        return (left, right)
    }

    private func source(_ name: String) throws -> Image {
        guard let input = catalog.input(named: name), let bytes = FileManager.default.contents(atPath: input.url.path)
        else { throw StudyHTTPError.inputGone(name) }
        do {
            return try coder.decode(Array(bytes), maxPixels: Self.maxSourcePixels)
        } catch {
            throw ServiceError.internalFailure("study input \(name): \(error)")
        }
    }

    /// Lossless and fast: this PNG only carries the crop to the upscaler.
    private func encode(_ image: Image) throws -> [UInt8] {
        do {
            return try coder.encode(image, as: .png, quality: 100, lossless: true, pngCompressionLevel: 1)
        } catch {
            throw ServiceError.internalFailure("study crop: \(error)")
        }
    }
}

extension Image {
    /// The pixels inside `crop` (alpha dropped: the study shows opaque images), same bit depth.
    func cropped(to crop: StudyCrop) -> Image {
        var color: [Float] = []
        color.reserveCapacity(colorChannels * crop.width * crop.height)
        for channel in 0..<colorChannels {
            for y in crop.y..<(crop.y + crop.height) {
                let start = channel * pixelCount + y * width + crop.x
                color += self.color[start..<(start + crop.width)]
            }
        }
        return Image(
            width: crop.width, height: crop.height, colorChannels: colorChannels, color: color,
            sourceBitDepth: sourceBitDepth)
    }
}
