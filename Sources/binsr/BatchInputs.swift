import Foundation
import ImageCodecs

/// One image of a folder run: where it comes from, where its result goes, and what its header says.
struct BatchItem: Sendable {
    let input: URL
    let output: URL
    /// Size and format read from the first bytes, nil when unreadable (the decode then reports why).
    let header: ImageHeader?
    /// Why this item cannot run although its file may be fine (two inputs named alike, output = input).
    let conflict: String?

    /// The name shown in reports: the path as the user wrote it or as listed under their folder.
    var name: String { input.relativePath }
}

/// Turns `binsr upscale` arguments (files, folders, a shell-expanded glob) into `BatchItem`s.
enum BatchInputs {
    /// Extensions taken from a folder; files named on the command line are taken whatever their name.
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "webp"]

    /// Enough bytes for any header `readImageHeader` reads: a JPEG's SOF follows at most a few 64 KiB APPn
    /// segments (EXIF, ICC, XMP; JPEG T.81 B.1.1.4 caps a segment at 65535 bytes).
    static let headerPrefixBytes = 1 << 20

    /// Inputs in argument order; a folder's image files (not hidden, not recursive) sorted by name. A file that
    /// does not exist stays in the list: its decode fails and is reported like any other bad image.
    static func files(_ arguments: [String]) throws -> [URL] {
        var files: [URL] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory)
            guard exists && isDirectory.boolValue else {
                files.append(URL(fileURLWithPath: argument))
                continue
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: argument).sorted()
            for name in names where !name.hasPrefix(".") {
                // Relative to the working directory, as the user named the folder, so reports show "photos/a.png".
                let url = URL(fileURLWithPath: (argument as NSString).appendingPathComponent(name))
                var nameIsDirectory: ObjCBool = false
                let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &nameIsDirectory)
                if exists && !nameIsDirectory.boolValue && imageExtensions.contains(url.pathExtension.lowercased()) {
                    files.append(url)
                }
            }
        }
        return files
    }

    /// Items writing `<base name>.<format's extension>` into `outputFolder`. The first input of a name wins; a
    /// later one of the same name, or one whose output would replace itself, carries a `conflict` and fails alone.
    static func items(_ files: [URL], outputFolder: URL, format: ImageFormat) -> [BatchItem] {
        var claimed: [String: URL] = [:]
        return files.map { input in
            let base = input.deletingPathExtension().lastPathComponent
            let output = outputFolder.appendingPathComponent("\(base).\(format.fileExtension)")
            let key = output.standardizedFileURL.resolvingSymlinksInPath().path
            var conflict: String?
            if key == input.standardizedFileURL.resolvingSymlinksInPath().path {
                conflict = "the output \(output.path) would replace its input; write to another folder"
            } else if let first = claimed[key] {
                conflict = "\(first.relativePath) already writes \(output.path)"
            } else {
                claimed[key] = input
            }
            return BatchItem(input: input, output: output, header: header(of: input), conflict: conflict)
        }
    }

    /// The header from the file's first bytes, without decoding pixels.
    static func header(of url: URL) -> ImageHeader? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let prefix = try? handle.read(upToCount: headerPrefixBytes) else { return nil }
        return try? readImageHeader([UInt8](prefix))
    }

    /// An earlier run's result: a non-empty file (outputs are renamed into place whole, so a file there is complete).
    static func isDone(_ item: BatchItem) -> Bool {
        let size = try? item.output.resourceValues(forKeys: [.fileSizeKey]).fileSize
        return (size ?? 0) > 0
    }
}

extension ImageFormat {
    /// The extension given to files written in this format.
    var fileExtension: String {
        switch self {
        case .png: return "png"
        case .jpeg: return "jpg"
        case .webp: return "webp"
        }
    }
}

/// Writes a file so that it appears whole or not at all: a temporary file beside it, then rename(2), which
/// replaces the name atomically within one file system (POSIX rename). An interrupted run leaves at most a hidden
/// `.*.tmp` file, never a truncated output that the next run would take as done.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CommandError("cannot write \(temporary.path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CommandError("cannot rename into \(url.path): \(reason)")
        }
    }
}
