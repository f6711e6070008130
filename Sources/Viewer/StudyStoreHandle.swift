import Foundation
import StudyStore
import Synchronization

/// Opens the vote database on the first study request, not at service start.
///
/// A service that nobody uses for the study (the API tests, a deployment without a data volume) then creates no
/// `data/` folder and no SQLite file as a side effect. A failure to open is kept and reported to every study request
/// (503 with the reason) instead of being retried on each one.
final class StudyStoreHandle: Sendable {
    private enum State {
        case closed
        case open(StudyStore)
        case failed(String)
    }

    let directory: URL
    let pairLifetime: TimeInterval
    let minViewSeconds: TimeInterval
    /// Held while opening, so two first requests open one store, not two.
    private let state = Mutex(State.closed)

    init(directory: URL, pairLifetime: TimeInterval, minViewSeconds: TimeInterval) {
        self.directory = directory
        self.pairLifetime = pairLifetime
        self.minViewSeconds = minViewSeconds
    }

    var databasePath: String { directory.appendingPathComponent(StudyStore.fileName).path }

    func get() throws -> StudyStore {
        try state.withLock { state throws(StudyHTTPError) in
            switch state {
            case .open(let store): return store
            case .failed(let reason): throw StudyHTTPError.storeUnavailable(reason)
            case .closed:
                do {
                    let store = try StudyStore(
                        directory: directory, pairLifetime: pairLifetime, minViewSeconds: minViewSeconds)
                    state = .open(store)
                    return store
                } catch {
                    let reason = "cannot open the vote database \(databasePath): \(error)"
                    state = .failed(reason)
                    throw StudyHTTPError.storeUnavailable(reason)
                }
            }
        }
    }
}
