import Dispatch
import Synchronization

/// A value handed once from a worker thread to the thread waiting for it (the connection's handler thread): the one
/// hand-off of the service, used by `POST /upscale` and the study's renders.
final class Completion<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    /// The waiting side sleeps on it, with a timeout while it watches its client: a wait, which a `Mutex` cannot do.
    private let arrived = DispatchSemaphore(value: 0)

    func fulfil(_ value: Value) {
        self.value.withLock { $0 = value }
        arrived.signal()
    }

    /// The value, or nil if it did not arrive within `milliseconds` (the caller checks its client meanwhile).
    func wait(milliseconds: Int) -> Value? {
        guard arrived.wait(timeout: .now() + .milliseconds(milliseconds)) == .success else { return nil }
        return value.withLock { $0 }
    }

    /// The value, however long it takes (the worker pool always delivers, even a failure).
    func wait() -> Value {
        arrived.wait()
        return value.withLock { $0! }
    }
}
