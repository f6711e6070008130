import Dispatch
import Synchronization

/// Runs async work to completion from synchronous code and returns its result.
///
/// For `ParsableCommand.validate()`, which argument-parser calls synchronously on the main thread: the work runs on
/// the global concurrent executor while the main thread, which is not one of its threads, waits. Never call this
/// from inside a task: a pool thread blocked here may be the one the work needs.
func waitForAsync<Value: Sendable>(_ work: @escaping @Sendable () async -> Value) -> Value {
    let result = Mutex<Value?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await work()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}
