import Foundation

/// Upscaled study images in memory, bounded by total bytes, oldest inserted evicted first.
///
/// Both images of a pair are computed (or found here) before the pair is handed out, so the two image requests
/// that follow are served from memory alike and their timing cannot tell the real network from the binary one.
final class StudyImageCache: @unchecked Sendable {  // all state behind `lock`
    private let capacity: Int
    private let lock = NSLock()
    private var entries: [String: [UInt8]] = [:]
    private var order: [String] = []
    private var bytes = 0

    init(capacityBytes: Int) {
        capacity = capacityBytes
    }

    func get(_ key: String) -> [UInt8]? {
        lock.withLock { entries[key] }
    }

    func put(_ key: String, _ value: [UInt8]) {
        guard value.count <= capacity else { return }
        lock.withLock {
            if let old = entries.updateValue(value, forKey: key) {
                bytes -= old.count
            } else {
                order.append(key)
            }
            bytes += value.count
            while bytes > capacity, !order.isEmpty {
                let evicted = order.removeFirst()
                bytes -= entries.removeValue(forKey: evicted)?.count ?? 0
            }
        }
    }
}
