import Foundation

/// Threads that run handlers, first come first served, started as needed up to a maximum.
///
/// Handlers may block (the service waits there for its worker pool), so they cannot run on the event loop's queue
/// or on Dispatch's shared pool, whose thread count is not ours to bound. Only complete requests get here.
final class HandlerPool: @unchecked Sendable {
    /// A condition, not a `Mutex`: idle threads sleep until a job arrives, and `stop` waits for them to end.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var threads = 0
    private var idle = 0
    private var stopping = false
    private let maxThreads: Int
    private let name: String
    private let finished = DispatchGroup()

    init(maxThreads: Int, name: String) {
        self.maxThreads = maxThreads
        self.name = name
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        let spawn = condition.withLock { () -> Bool in
            jobs.append(job)
            // Waiting jobs beyond the idle threads: start one more, if allowed.
            let needed = jobs.count - head > idle && threads < maxThreads
            if needed { threads += 1 }
            condition.signal()
            return needed
        }
        if spawn { startThread(index: threads) }
    }

    /// Lets queued jobs finish, then ends the threads (waits at most `seconds`).
    func stop(waitingUpTo seconds: Double) {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
        _ = finished.wait(timeout: .now() + seconds)
    }

    private func startThread(index: Int) {
        finished.enter()
        let thread = Thread { [self] in
            while let job = next() { job() }
            finished.leave()
        }
        thread.name = "\(name)-\(index)"
        // Handlers mostly wait: 512 KiB stacks (as Dispatch's workers) keep many of them cheap.
        thread.stackSize = 512 * 1024
        thread.start()
    }

    private func next() -> (@Sendable () -> Void)? {
        condition.withLock {
            idle += 1
            defer { idle -= 1 }
            while head == jobs.count && !stopping { condition.wait() }
            guard head < jobs.count else { return nil }
            let job = jobs[head]
            head += 1
            // Compact now and then so the array does not grow without bound.
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }
    }
}
