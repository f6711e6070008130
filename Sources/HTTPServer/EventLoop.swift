import CEpoll
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A readiness loop on epoll(7): one thread waits for socket events and runs their handlers inline, runs tasks
/// posted from other threads (woken through an eventfd), and calls a tick handler at a fixed interval.
///
/// Why not DispatchSource: on Linux each source event crosses two threads (libdispatch's epoll manager thread, then
/// a queue worker, woken through an eventfd), which measured 0.55x the request rate of the thread-per-connection
/// server this replaced. Here an event costs one epoll_wait wake-up, as in NIO's `SelectableEventLoop`.
///
/// Everything registered is touched only on the loop thread; `execute` and `sync` are the ways in from outside.
final class EventLoop: @unchecked Sendable {
    typealias Handler = (_ events: UInt32) -> Void

    private let epoll: Int32
    private let wake: Int32
    private var handlers: [Int32: Handler] = [:]
    private let posted = Mutex<[@Sendable () -> Void]>([])
    private let tickInterval: Duration
    private var nextTick: ContinuousClock.Instant
    private var onTick: () -> Void = {}
    private let stopped = Mutex(false)
    /// Signalled once by the loop thread as it ends; `stop` waits for it (a wait, which a `Mutex` cannot do).
    private let exited = DispatchSemaphore(value: 0)
    private var threadID: pthread_t?

    static let readable = EPOLLIN.rawValue
    static let writable = EPOLLOUT.rawValue
    /// Error or hang-up, reported whether asked for or not: the handler's next read or write sees it.
    static let failed = EPOLLERR.rawValue | EPOLLHUP.rawValue

    init(name: String, tick: Duration) throws(SyscallError) {
        epoll = try Syscall.blocking("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        do {
            wake = try Syscall.blocking("eventfd") { eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)) }
        } catch {
            close(epoll)
            throw error
        }
        tickInterval = tick
        nextTick = .now + tick
        var event = epoll_event()
        event.events = Self.readable
        event.data.fd = wake
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event)
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    deinit {
        close(wake)
        close(epoll)
    }

    /// True on the loop's own thread.
    var inLoop: Bool { threadID.map { pthread_equal($0, pthread_self()) != 0 } ?? false }

    // MARK: From any thread

    /// Runs `task` on the loop soon.
    func execute(_ task: @escaping @Sendable () -> Void) {
        posted.withLock { $0.append(task) }
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    /// Runs `body` on the loop and returns its result; on the loop itself it just runs it.
    func sync<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        if inLoop { return body() }
        let result = Mutex<T?>(nil)
        // The caller sleeps until the loop has run `body`: a one-shot wait, what a semaphore is for.
        let done = DispatchSemaphore(value: 0)
        execute {
            let value = body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    /// Ends the loop thread after the tasks already posted (waits for it).
    func stop() {
        execute { [self] in stopped.withLock { $0 = true } }
        exited.wait()
    }

    // MARK: On the loop

    /// Calls `handler` from now on every `tick` (the loop's timer).
    func setTick(_ handler: @escaping () -> Void) { onTick = handler }

    /// Watches `fd` for `events` (level-triggered), calling `handler` with what happened.
    func register(_ fd: Int32, events: UInt32, handler: @escaping Handler) {
        handlers[fd] = handler
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
    }

    /// Changes which events `fd` is watched for (0: none; errors and hang-ups are still reported).
    func modify(_ fd: Int32, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        _ = epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event)
    }

    /// Stops watching `fd`; call before closing it, so the number cannot be confused with a new descriptor.
    func unregister(_ fd: Int32) {
        handlers[fd] = nil
        var event = epoll_event()
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, &event)
    }

    private func run() {
        threadID = pthread_self()
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while !stopped.withLock({ $0 }) {
            let wait = max(0, Self.milliseconds(nextTick - .now))
            let count = epoll_wait(epoll, &events, Int32(events.count), Int32(clamping: wait))
            for index in 0..<max(0, Int(count)) {
                let fd = events[index].data.fd
                if fd == wake {
                    var value: UInt64 = 0
                    _ = read(wake, &value, 8)
                    continue
                }
                // A handler may have closed and unregistered another descriptor of this batch: skip those.
                handlers[fd]?(events[index].events)
            }
            for task in posted.withLock({ tasks in defer { tasks = [] }; return tasks }) { task() }
            if ContinuousClock.now >= nextTick {
                nextTick = .now + tickInterval
                onTick()
            }
        }
        exited.signal()
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
