import Foundation
import ImageCodecs

/// The Accept header, parsed once into a quality value per format we produce, and the choice of the output format
/// from it, `format=` and the input's format (RFC 9110 §12.5.1).
struct AcceptedFormats: Sendable, Equatable {
    /// The header as sent, for the 406 answer.
    let header: String?
    private let quality: [ImageFormat: Double]

    init(_ accept: String?) {
        header = accept
        var quality: [ImageFormat: Double] = [:]
        for format in ImageFormat.allCases { quality[format] = Self.quality(of: format, accept: accept) }
        self.quality = quality
    }

    /// The quality value `accept` gives `format` (the most specific matching range wins); 1 when absent.
    private static func quality(of format: ImageFormat, accept: String?) -> Double {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return 1 }
        var best: (specificity: Int, q: Double)?
        for element in accept.split(separator: ",") {
            let pieces = element.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let range = pieces.first, !range.isEmpty else { continue }
            var q = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                q = Double(parameter.dropFirst(2)) ?? 0
            }
            let specificity: Int
            if range == format.mediaType || (format == .jpeg && range == "image/jpg") {
                specificity = 2
            } else if range == "image/*" {
                specificity = 1
            } else if range == "*/*" {
                specificity = 0
            } else {
                continue
            }
            if best == nil || specificity > best!.specificity { best = (specificity, q) }
        }
        return best?.q ?? 0
    }

    /// The format to produce, or nil when Accept allows none (406). An explicit `format=` always wins; otherwise
    /// the input's format is kept if acceptable, as the client most likely expects the same kind of file back.
    /// A `lossless` request never gets JPEG, which has no lossless mode. With `input` nil (at head time, before the
    /// body) the answer is nil exactly when it will be nil for any input.
    func choose(explicit: ImageFormat?, input: ImageFormat?, lossless: Bool = false) -> ImageFormat? {
        if let explicit { return explicit }
        let candidates = ([input].compactMap { $0 } + ImageFormat.allCases).filter { !lossless || $0.hasLosslessMode }
        let scored = candidates.map { ($0, quality[$0] ?? 0) }.filter { $0.1 > 0 }
        guard let top = scored.map(\.1).max() else { return nil }
        return scored.first { $0.1 == top }?.0
    }
}
