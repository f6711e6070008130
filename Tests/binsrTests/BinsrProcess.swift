import Foundation
import TestSupport
import Testing

/// Runs the built `binsr` executable (built by `swift build` / `swift test` beside the test bundle).
enum BinsrProcess {
    static var executable: URL? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("binsr"),
            TestPaths.repositoryRoot.appendingPathComponent(".build/debug/binsr"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Exit status, stdout and stderr of `binsr arguments...`, with `environment` added to the tests' own.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        guard let executable else {
            Issue.record("the binsr executable was not found next to the tests or in .build/debug; run swift build")
            return (-1, "", "")
        }
        let result = try ChildProcess.run(executable, arguments, environment: environment)
        return (
            result.status, String(decoding: result.stdout, as: UTF8.self), String(decoding: result.stderr, as: UTF8.self)
        )
    }
}
