import Foundation

/// A bounded queue in front of a fixed pool of worker threads.
///
/// `submit` never blocks: when `capacity` jobs already wait it returns nil and the caller answers 503 at once.
/// A job that has not started can be withdrawn (`cancel`), so a client that disconnects while queued costs nothing.
public final class WorkQueue: @unchecked Sendable {
    public final class Ticket: @unchecked Sendable {
        /// Runs the job and returns its delivery, which the worker calls once it counts as idle again.
        fileprivate let run: @Sendable () -> @Sendable () -> Void
        fileprivate var started = false
        fileprivate var cancelled = false
        init(run: @escaping @Sendable () -> @Sendable () -> Void) { self.run = run }
    }

    public let capacity: Int
    public let workerCount: Int
    /// A condition, not a `Mutex`: idle workers sleep until a job arrives, and `stop` waits for them to exit.
    private let condition = NSCondition()
    private var pending: [Ticket] = []
    private var busy = 0
    private var stopping = false
    private var threadsExited = 0
    /// Called with (queue depth, busy workers) after every change, outside the lock (for metrics).
    private let observer: @Sendable (Int, Int) -> Void

    public init(workers: Int, capacity: Int, observer: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) {
        precondition(workers > 0 && capacity > 0)
        self.workerCount = workers
        self.capacity = capacity
        self.observer = observer
        for index in 0..<workers {
            let thread = Thread { [self] in workerLoop() }
            thread.name = "upscale-worker-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Jobs waiting for a worker.
    public var depth: Int { condition.withLock { pending.count } }
    /// Workers running a job.
    public var busyWorkers: Int { condition.withLock { busy } }

    /// Enqueues `work`, or returns nil when the queue is full or stopping.
    public func submit(_ work: @escaping @Sendable () -> Void) -> Ticket? {
        submit(work, deliver: { _ in })
    }

    /// Enqueues `work`; its output goes to `deliver` after the worker is counted idle again, so whoever waits for
    /// the output (and then reads the busy gauge, as a metrics scrape does) never sees a worker still busy with it.
    public func submit<Output: Sendable>(
        _ work: @escaping @Sendable () -> Output, deliver: @escaping @Sendable (Output) -> Void
    ) -> Ticket? {
        let ticket = Ticket {
            let output = work()
            return { deliver(output) }
        }
        let accepted = condition.withLock { () -> Bool in
            guard !stopping, pending.count < capacity else { return false }
            pending.append(ticket)
            condition.signal()
            return true
        }
        if accepted { notify() }
        return accepted ? ticket : nil
    }

    /// Jobs ahead of `ticket` while it waits (0: it is next), nil once a worker has it or it was withdrawn.
    public func position(of ticket: Ticket) -> Int? {
        condition.withLock { pending.firstIndex { $0 === ticket } }
    }

    /// Removes a job that has not started. Returns false if a worker already took it (it will run to completion).
    @discardableResult
    public func cancel(_ ticket: Ticket) -> Bool {
        let removed = condition.withLock { () -> Bool in
            guard !ticket.started else { return false }
            ticket.cancelled = true
            pending.removeAll { $0 === ticket }
            return true
        }
        if removed { notify() }
        return removed
    }

    /// Stops the workers after the queued jobs have run. Waits up to `timeout` seconds; true if all finished.
    @discardableResult
    public func stop(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        while threadsExited < workerCount {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }

    private func workerLoop() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopping { condition.wait() }
            if pending.isEmpty && stopping {
                threadsExited += 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let ticket = pending.removeFirst()
            ticket.started = true
            busy += 1
            condition.unlock()
            notify()

            let delivery = ticket.run()

            condition.withLock { busy -= 1 }
            notify()
            delivery()
        }
    }

    private func notify() {
        let (depth, busy) = condition.withLock { (pending.count, self.busy) }
        observer(depth, busy)
    }
}
