import CDNNL
import Foundation

/// How many threads oneDNN uses for the calls of the current thread. With W workers running at once on C cores,
/// each gets max(1, C / W): a lone request uses every core, a full pool does not oversubscribe them (OpenMP
/// threads spin-wait between primitives, so oversubscription costs more than idle cores would).
public enum EngineThreads {
    public static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// Threads for one of `concurrent` simultaneous jobs.
    public static func share(concurrent: Int) -> Int { max(1, cores / max(1, concurrent)) }

    /// Applies to oneDNN calls made later by the calling thread only (OpenMP's per-thread setting).
    public static func use(_ threads: Int) { omp_set_num_threads(Int32(max(1, threads))) }

    public static var current: Int { Int(omp_get_max_threads()) }
}
