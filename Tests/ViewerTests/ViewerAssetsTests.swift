import Foundation
import SREngine
import TestSupport
import Testing
import UpscaleService

@testable import Viewer

/// The viewer's files and the study's choice of pairs, without a server.
@Suite("Viewer assets and study variants")
struct ViewerAssetsTests {
    static let web = TestPaths.repositoryRoot.appendingPathComponent("web")

    @Test func theConfiguredWebRootServesPagesAndFilesFromMemory() throws {
        let assets = try ViewerAssets.locate(explicit: Self.web.path)
        #expect(assets.root.standardizedFileURL == Self.web.standardizedFileURL)
        for path in ["/", "/study", "/study/results", "/static/viewer.js", "/static/index.html"] {
            #expect(assets.byPath[path] != nil, "\(path)")
        }
        #expect(assets.byPath["/"] == assets.byPath["/static/index.html"])
        #expect(assets.byPath["/static/../index.html"] == nil, "nothing to traverse: a fixed table of paths")
    }

    /// A configured `webRoot` is the only place looked at: a wrong one is reported, not bypassed by the checkout's.
    @Test func aWrongWebRootIsReportedAloneNotBypassed() {
        #expect(throws: ViewerAssets.LoadError.notFound(searched: ["/nonexistent/web"])) {
            try ViewerAssets.locate(explicit: "/nonexistent/web")
        }
    }

    /// Without a `webRoot`, the `web` folder beside or above the executable is found (a build under .build/).
    @Test func withoutAWebRootTheCheckoutsFolderIsFoundFromTheExecutable() throws {
        let executable = TestPaths.repositoryRoot.appendingPathComponent(".build/debug/binsr")
        let assets = try ViewerAssets.locate(explicit: nil, executable: executable)
        #expect(assets.root.standardizedFileURL == Self.web.standardizedFileURL)
    }

    @Test func theStudyComparesOnlyArchitecturesWithARealAndABinaryModel() {
        let models = [
            ModelKey(arch: .srresnet, kind: .real, scale: 4),
            ModelKey(arch: .srresnet, kind: .binary, scale: 4),
            ModelKey(arch: .srresnet, kind: .real, scale: 2),
            ModelKey(arch: .lapsrn, kind: .binary, scale: 2),
            ModelKey(arch: .lapsrn, kind: .real, scale: 2),
        ]
        let variants = ViewerSite.variants(models).map { "\($0.arch)-x\($0.scale)" }
        #expect(variants == ["lapsrn-x2", "srresnet-x4"])
    }
}
