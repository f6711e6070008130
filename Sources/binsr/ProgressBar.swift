import Foundation

/// A one-line progress bar on standard error, drawn only when stderr is a terminal (so logs and pipes stay clean).
struct ProgressBar {
    let total: Int
    let width = 30
    let enabled: Bool

    init(total: Int, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.total = max(total, 1)
        self.enabled = enabled
    }

    /// The line for `done` items, e.g. "[#########.........] 3/5 bird" (no escape codes; `\r` redraws it).
    func line(done: Int, label: String) -> String {
        let filled = min(width, width * done / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "[\(bar)] \(done)/\(total) \(label)"
    }

    /// The line for a fraction of weighted work, e.g. "[#######...........]  35% 3/10 images" (the label says what).
    func line(fraction: Double, label: String) -> String {
        let clamped = min(max(fraction, 0), 1)
        let filled = Int(Double(width) * clamped)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "[\(bar)] " + String(format: "%3d%% ", Int(clamped * 100)) + label
    }

    func update(fraction: Double, label: String) {
        guard enabled else { return }
        write("\r" + line(fraction: fraction, label: label) + "\u{1B}[K")
    }

    func update(done: Int, label: String) {
        guard enabled else { return }
        // \u{1B}[K clears what a longer previous label left behind.
        write("\r" + line(done: done, label: label) + "\u{1B}[K")
    }

    func finish() {
        guard enabled else { return }
        write("\r\u{1B}[K")
    }

    private func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}
