import Foundation
import TestSupport

/// libwebp's test corpus in shared/testdata/webp (SOURCES.md there) and its list of reference MD5s.
enum WebPTestdata {
    static let directory = TestPaths.testdata.appendingPathComponent("webp")
    static let available = FileManager.default.fileExists(
        atPath: directory.appendingPathComponent("libwebp_tests.md5").path)

    /// `md5  name.webp.ext` lines, keyed by `name.webp.ext`.
    static let md5s: [String: String] = {
        let url = directory.appendingPathComponent("libwebp_tests.md5")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
        var entries: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count == 2 { entries[String(fields[1])] = String(fields[0]) }
        }
        return entries
    }()

    /// Files with an RGB (.ppm) or RGBA (.pam) reference; the .pgm/.bmp/.tiff entries are other layouts of the
    /// same pixels.
    static let referenced = Set(
        md5s.keys.compactMap { key -> String? in
            guard key.hasSuffix(".ppm") || key.hasSuffix(".pam") else { return nil }
            return String(key.dropLast(4))
        }
    ).sorted()

    /// A file of the corpus by name.
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}
