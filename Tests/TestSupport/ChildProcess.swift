import Foundation

/// Runs a program to completion and collects its output (the one process helper of the test suites).
public enum ChildProcess {
    /// Exit status, stdout and stderr of `executable arguments...`, with `environment` added to this process's.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> (
        status: Int32, stdout: Data, stderr: Data
    ) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // stderr is drained on another thread so that neither pipe can fill up and block the child.
        nonisolated(unsafe) var stderrData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { stderrData = err.fileHandleForReading.readDataToEndOfFile() }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, stdoutData, stderrData)
    }
}
