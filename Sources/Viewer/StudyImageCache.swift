import Synchronization

/// Upscaled study images in memory, bounded by total bytes, oldest inserted evicted first.
///
/// Both images of a pair are computed (or found here) before the pair is handed out, so the two image requests
/// that follow are served from memory alike and their timing cannot tell the real network from the binary one.
final class StudyImageCache: Sendable {
    private struct Contents {
        var entries: [String: [UInt8]] = [:]
        /// Keys in insertion order, oldest first: the eviction order.
        var order: [String] = []
        var bytes = 0
    }

    private let capacity: Int
    private let contents = Mutex(Contents())

    init(capacityBytes: Int) {
        capacity = capacityBytes
    }

    func get(_ key: String) -> [UInt8]? {
        contents.withLock { $0.entries[key] }
    }

    func put(_ key: String, _ value: [UInt8]) {
        guard value.count <= capacity else { return }
        contents.withLock { contents in
            if let old = contents.entries.updateValue(value, forKey: key) {
                contents.bytes -= old.count
            } else {
                contents.order.append(key)
            }
            contents.bytes += value.count
            while contents.bytes > capacity, !contents.order.isEmpty {
                let evicted = contents.order.removeFirst()
                contents.bytes -= contents.entries.removeValue(forKey: evicted)?.count ?? 0
            }
        }
    }
}
