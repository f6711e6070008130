import Foundation

/// Locations the tests read from. Test data is never copied into the repo: `shared/` sits beside the checkout
/// (override with BINSR_SHARED), committed fixtures live in `Tests/Fixtures`.
public enum TestPaths {
    /// The repository root, found from this file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let fixtures: URL = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    public static let shared: URL = {
        if let path = ProcessInfo.processInfo.environment["BINSR_SHARED"] { return URL(fileURLWithPath: path) }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    public static let testdata: URL = shared.appendingPathComponent("testdata")
    public static let datasets: URL = shared.appendingPathComponent("datasets")

    /// The Python interpreter of the project's venv (set by scripts/test.sh), for PyTorch reference checks.
    public static var python: String? { ProcessInfo.processInfo.environment["BINSR_PYTHON"] }
}
