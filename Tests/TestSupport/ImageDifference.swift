import Foundation
import ImageCodecs

/// How far apart two decoded images are, for codec round-trip bounds.
public enum ImageDifference {
    /// PSNR in dB over every colour sample (peak 1, values in [0, 1]); infinity when the colour planes are equal.
    /// Not the evaluation protocol's Y-channel PSNR (`Evaluation.psnr`): this one measures a codec, not a model.
    public static func psnr(_ a: Image, _ b: Image) -> Double {
        let mse =
            zip(a.color, b.color).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            / Double(a.color.count)
        return 10 * log10(1 / mse)
    }
}
