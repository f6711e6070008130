import Foundation
import HTTPServer

/// The viewer's static files (web/), read into memory once at startup.
///
/// Serving from memory means no request ever touches the file system: a path like `/static/../../etc/passwd` is
/// simply not a key. The folder is small (pages, scripts, a few sample PNGs under 100 KB each).
public struct ViewerAssets: Sendable {
    public struct Asset: Sendable, Equatable {
        public let contentType: String
        public let bytes: [UInt8]
    }

    /// Why the assets could not be loaded; the service refuses to start the viewer with a clear message.
    public enum LoadError: Error, CustomStringConvertible, Equatable {
        case notFound(searched: [String])
        case unreadable(path: String, reason: String)

        public var description: String {
            switch self {
            case .notFound(let searched):
                return "viewer assets (web/index.html) not found; searched \(searched.joined(separator: ", ")); "
                    + "set webRoot (BINSR_WEB_ROOT) to the folder that holds index.html"
            case .unreadable(let path, let reason): return "cannot read viewer asset \(path): \(reason)"
            }
        }
    }

    /// Extensions served, with their media types; other files in web/ are ignored.
    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8", "json": "application/json", "png": "image/png",
        "md": "text/plain; charset=utf-8",
    ]

    /// Pages at their own paths; everything else under `/static/`.
    static let pages: [String: String] = ["/": "index.html", "/study": "study.html", "/study/results": "results.html"]

    public let root: URL
    /// URL path (`/`, `/static/viewer.js`, `/static/samples/coffee.png`) to content.
    public let byPath: [String: Asset]

    /// The folder with the bundled sample photos, also the study's default input folder.
    public var samplesDirectory: URL { root.appendingPathComponent("samples") }

    /// Reads `root/*` and `root/samples/*` (files with a known extension and a plain name only).
    public static func load(root: URL) throws(LoadError) -> ViewerAssets {
        var byPath: [String: Asset] = [:]
        for (folder, prefix) in [(root, "/static/"), (root.appendingPathComponent("samples"), "/static/samples/")] {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            } catch {
                throw .unreadable(path: folder.path, reason: "\(error)")
            }
            for name in names where isPlainName(name) {
                guard let type = contentTypes[(name as NSString).pathExtension.lowercased()] else { continue }
                let url = folder.appendingPathComponent(name)
                guard let data = FileManager.default.contents(atPath: url.path) else {
                    throw .unreadable(path: url.path, reason: "not a readable file")
                }
                byPath[prefix + name] = Asset(contentType: type, bytes: Array(data))
            }
        }
        for (path, file) in pages {
            guard let page = byPath["/static/" + file] else { throw .unreadable(path: file, reason: "missing page") }
            byPath[path] = page
        }
        return ViewerAssets(root: root, byPath: byPath)
    }

    /// Finds web/: the configured `webRoot` when set (it alone, so a wrong setting is reported, not bypassed), else
    /// a `web` folder beside or above the executable (`.build/debug/binsr` sits three levels below the checkout),
    /// else `./web`.
    public static func locate(
        explicit: String? = nil, executable: URL? = Bundle.main.executableURL
    ) throws(LoadError) -> ViewerAssets {
        var candidates: [URL] = []
        if let explicit {
            candidates.append(URL(fileURLWithPath: explicit))
        } else {
            var folder = executable?.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<5 {
                guard let current = folder else { break }
                candidates.append(current.appendingPathComponent("web"))
                folder = current.deletingLastPathComponent()
            }
            let workingDirectory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            candidates.append(workingDirectory.appendingPathComponent("web"))
        }
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("index.html").path) {
            return try load(root: candidate)
        }
        throw .notFound(searched: candidates.map(\.path))
    }

    /// A non-hidden name of letters, digits, `-`, `_` and `.`.
    static func isPlainName(_ name: String) -> Bool {
        !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }

    /// The asset as a response with the headers every viewer file gets.
    func response(for asset: Asset) -> Response {
        var response = Response(
            status: .ok, headers: [.contentType: asset.contentType],
            body: asset.bytes)
        ViewerHeaders.apply(to: &response, isPage: asset.contentType.hasPrefix("text/html"))
        // Revalidate on every load: the files change with each deploy and are small.
        response.headers[.cacheControl] = "no-cache"
        return response
    }
}

extension HTTPField.Name {
    /// Not among the names swift-http-types registers; only the viewer's pages send it.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}

/// Security headers of the viewer's responses.
enum ViewerHeaders {
    /// Only same-origin scripts, styles, images (plus blob: for results shown from fetched bytes) and requests:
    /// the pages load nothing from another host (no CDN), and an injected inline script would not run.
    static let contentSecurityPolicy =
        "default-src 'self'; img-src 'self' blob: data:; script-src 'self'; "
        + "style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

    static func apply(to response: inout Response, isPage: Bool) {
        response.headers[.xContentTypeOptions] = "nosniff"
        if isPage {
            response.headers[.contentSecurityPolicy] = contentSecurityPolicy
            response.headers[.referrerPolicy] = "no-referrer"
        }
    }
}
