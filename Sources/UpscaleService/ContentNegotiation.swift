import Foundation

/// Chooses the output format from `format=`, Accept and the input's format (RFC 9110 §12.5.1).
enum ContentNegotiation {
    /// The quality value the Accept header gives `format` (the most specific matching range wins); 1 when absent.
    static func quality(of format: EncodedFormat, accept: String?) -> Double {
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
    /// A `lossless` request never gets JPEG, which has no lossless mode.
    static func choose(
        explicit: EncodedFormat?, input: EncodedFormat?, accept: String?, lossless: Bool = false
    ) -> EncodedFormat? {
        if let explicit { return explicit }
        let candidates = ([input].compactMap { $0 } + EncodedFormat.allCases).filter { !lossless || $0.hasLosslessMode }
        let scored = candidates.map { ($0, quality(of: $0, accept: accept)) }.filter { $0.1 > 0 }
        guard let top = scored.map(\.1).max() else { return nil }
        return scored.first { $0.1 == top }?.0
    }
}
