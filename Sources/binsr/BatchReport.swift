import Foundation
import Synchronization

/// What became of one image of a folder run: one `--json` line.
struct BatchResult: Encodable, Sendable {
    enum Status: String, Encodable, Sendable {
        case ok, skipped, failed
    }

    let input: String
    let output: String
    let status: Status
    let error: String?
    let seconds: Double?
    let outputMegapixels: Double?

    /// Every key on every line (null where it does not apply), so scripts need no `get` with a default.
    func encode(to encoder: any Encoder) throws {
        enum Key: String, CodingKey { case input, output, status, error, seconds, outputMegapixels }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(input, forKey: .input)
        try container.encode(output, forKey: .output)
        try container.encode(status, forKey: .status)
        try container.encode(error, forKey: .error)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(outputMegapixels, forKey: .outputMegapixels)
    }
}

/// The last line of a folder run.
struct BatchSummary: Encodable, Sendable {
    var images = 0
    var ok = 0
    var skipped = 0
    var failed = 0
    /// Images not started or stopped by Ctrl-C (only when `interrupted`).
    var remaining = 0
    var interrupted = false
    var seconds = 0.0
    var outputMegapixels = 0.0
    /// Output megapixels written per second of the whole run (skipped images count neither pixels nor time).
    var megapixelsPerSecond = 0.0

    var text: String {
        var parts = ["\(ok) upscaled", "\(skipped) skipped", "\(failed) failed"]
        if interrupted { parts.append("\(remaining) left (interrupted)") }
        return parts.joined(separator: ", ")
            + String(
                format: " of %d in %.1f s, %.2f output megapixels/s", images, seconds, megapixelsPerSecond)
    }
}

/// The one place a folder run writes to the terminal: results as they come (JSON lines on stdout, or failures on
/// stderr), the progress bar over all images' work, and the summary. Called from every worker, so all of it is
/// behind one lock, and a line never lands in the middle of the bar.
final class BatchReporter: Sendable {
    private struct State {
        var summary = BatchSummary()
        /// Work (output pixels) of the images finished, failed or skipped since the start.
        var finishedWork = 0.0
        /// Running images: work done so far, by item index (tiles done / tiles * the image's work).
        var running: [Int: Double] = [:]
        var lastDraw = ContinuousClock.now - .seconds(1)
    }

    private let state: Mutex<State>
    private let json: Bool
    private let bar: ProgressBar
    private let totalWork: Double
    private let totalImages: Int

    init(images: Int, totalWork: Double, json: Bool) {
        self.json = json
        self.totalWork = max(totalWork, 1)
        self.totalImages = images
        bar = ProgressBar(total: 1, enabled: !json && isatty(STDERR_FILENO) == 1)
        var state = State()
        state.summary.images = images
        self.state = Mutex(state)
    }

    /// A tile of image `index` (of `work` output pixels) finished; redraws at most ten times a second.
    func tile(_ index: Int, work: Double, done: Int, of tiles: Int, name: String) {
        state.withLock { state in
            state.running[index] = work * Double(done) / Double(max(tiles, 1))
            let now = ContinuousClock.now
            guard now - state.lastDraw >= .milliseconds(100) else { return }
            state.lastDraw = now
            draw(state, label: name)
        }
    }

    /// Reports `result`; `work` is the image's share of the bar.
    func finished(_ index: Int, work: Double, _ result: BatchResult) {
        state.withLock { state in
            state.running[index] = nil
            state.finishedWork += work
            switch result.status {
            case .ok:
                state.summary.ok += 1
                state.summary.outputMegapixels += result.outputMegapixels ?? 0
            case .skipped: state.summary.skipped += 1
            case .failed: state.summary.failed += 1
            }
            if json {
                emit(Self.jsonLine(result))
            } else if result.status == .failed {
                bar.finish()
                FileHandle.standardError.write(Data("failed \(result.input): \(result.error ?? "")\n".utf8))
            }
            draw(state, label: result.input)
        }
    }

    /// Image `index` stopped by Ctrl-C: no line, it counts as remaining.
    func abandoned(_ index: Int) {
        _ = state.withLock { state in state.running.removeValue(forKey: index) }
    }

    /// Clears the bar and writes the summary (a JSON line on stdout, or a line on stderr); returns it.
    func finish(seconds: Double, interrupted: Bool) -> BatchSummary {
        state.withLock { state in
            var summary = state.summary
            summary.seconds = seconds
            summary.interrupted = interrupted
            summary.remaining = summary.images - summary.ok - summary.skipped - summary.failed
            summary.megapixelsPerSecond = seconds > 0 ? (summary.outputMegapixels / seconds * 1000).rounded() / 1000 : 0
            bar.finish()
            if json {
                emit(Self.jsonLine(["summary": summary]))
            } else {
                FileHandle.standardError.write(Data((summary.text + "\n").utf8))
            }
            return summary
        }
    }

    /// A notice on stderr between bar redraws (Ctrl-C's "stopping").
    func note(_ text: String) {
        state.withLock { _ in
            bar.finish()
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    private func draw(_ state: State, label: String) {
        let done = state.finishedWork + state.running.values.reduce(0, +)
        let images = state.summary.ok + state.summary.skipped + state.summary.failed
        bar.update(fraction: done / totalWork, label: "\(images)/\(totalImages) images  \(label)")
    }

    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func jsonLine(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}
