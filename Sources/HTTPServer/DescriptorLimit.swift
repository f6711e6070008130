import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The process's open-file limit: every connection is a descriptor, and the usual soft limit (1024) is far below
/// `maxConnections`. Raised to the hard limit, as nginx's `worker_rlimit_nofile` and Go's runtime do.
enum DescriptorLimit {
    static func raise(toHold connections: Int, logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        // Some room for model files, logs and the listener besides the connections.
        if limit.rlim_cur != ~rlim_t(0) && Int(limit.rlim_cur) < connections + 64 {
            logger.warning(
                "open-file limit below maxConnections; connections beyond it are refused",
                metadata: ["nofile": "\(limit.rlim_cur)", "maxConnections": "\(connections)"])
        }
    }
}
