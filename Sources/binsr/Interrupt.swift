import Dispatch
import Foundation
import Synchronization

/// Ctrl-C for a long run: the first SIGINT sets `requested` (work stops after the tile in flight and the run
/// reports what it did); a second one quits at once with the default action.
/// `@unchecked`: the Dispatch source is not Sendable; only `init` and `stop` touch it, on the thread running the
/// command. Workers read only the atomic flag.
final class Interrupt: @unchecked Sendable {
    private let flag = Atomic<Bool>(false)
    private let source: DispatchSourceSignal

    var requested: Bool { flag.load(ordering: .relaxed) }

    /// Catches SIGINT from now on; `onFirst` runs once, on a Dispatch queue, when the first one arrives.
    init(onFirst: @escaping @Sendable () -> Void) {
        // Ignored by the default handler so that Dispatch alone receives it (as `UpscaleService.runUntilSignalled`).
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned self] in
            if flag.exchange(true, ordering: .relaxed) {
                signal(SIGINT, SIG_DFL)
                kill(getpid(), SIGINT)
            } else {
                onFirst()
            }
        }
        source.resume()
    }

    /// Gives SIGINT back its default action.
    func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
