import Foundation
import ImageCodecs

/// A folder of HR test images (e.g. ../shared/datasets/Set5), decoded with ImageCodecs.
public enum DatasetDirectory {
    /// File extensions read as images (compared case-insensitively).
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// The image files directly inside `directory`, sorted by file name (the order of the reports).
    public static func imageFiles(in directory: URL) throws(EvaluationError) -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .emptyDataset("cannot list \(directory.path): \(error.localizedDescription)")
        }
        let files = names.filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        guard !files.isEmpty else { throw .emptyDataset("no .png/.jpg images in \(directory.path)") }
        return files.map { directory.appendingPathComponent($0) }
    }

    /// Decodes one HR image to RGB Double planes on 0...1.
    public static func load(_ url: URL) throws(EvaluationError) -> RGBPlanes {
        let image: Image
        do {
            image = try decodeImage(contentsOf: url)
        } catch {
            throw .unreadableImage(path: url.path, reason: "\(error)")
        }
        return try RGBPlanes(decoded: image)
    }
}

extension DatasetEvaluator {
    /// Scores `method` on every image of `directory` (loaded one at a time), named by file name without extension.
    /// `progress(done, total, name)` is called after each image.
    public func evaluate(
        directory: URL, method: some SuperResolutionMethod,
        progress: ((Int, Int, String) -> Void)? = nil
    ) throws(EvaluationError) -> DatasetScores {
        let files = try DatasetDirectory.imageFiles(in: directory)
        var scores: [ImageScores] = []
        for (i, file) in files.enumerated() {
            let name = file.deletingPathExtension().lastPathComponent
            scores.append(try evaluate(hr: DatasetDirectory.load(file), name: name, method: method))
            progress?(i + 1, files.count, name)
        }
        return DatasetScores(method: method.name, options: options, images: scores)
    }
}
