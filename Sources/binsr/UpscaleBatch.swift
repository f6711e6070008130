import Dispatch
import Foundation
import ImageCodecs
import SREngine
import Synchronization

/// `binsr upscale` over several images with one loaded model: skips finished outputs, runs the rest, reports each
/// image as it ends and a summary at the end, and stops after the current tile on Ctrl-C.
///
/// Concurrency: an image whose whole-image pass fits `memoryBudget / jobs` ("small") runs beside `jobs - 1` others,
/// each with `cores / jobs` oneDNN threads and that share of the budget; a larger one runs alone with every core and
/// the whole budget. Small images leave cores idle under one job: decoding and encoding are single-threaded, and a
/// network pass on a small input parallelises poorly over all cores (see the commit that made this the default).
/// Large images keep the cores busy alone, and running them alone keeps peak memory at one budget.
struct UpscaleBatch {
    let job: UpscaleJob
    let memoryBudget: Int
    let jobs: Int
    let overwrite: Bool
    let json: Bool

    /// Runs `items` and returns the summary (already printed).
    func run(_ items: [BatchItem]) -> BatchSummary {
        let start = ContinuousClock.now
        let pending = items.indices.filter { overwrite || items[$0].conflict != nil || !BatchInputs.isDone(items[$0]) }
        let work = Self.work(items, scale: job.scale)
        let reporter = BatchReporter(
            images: items.count, totalWork: pending.reduce(0) { $0 + work[$1] }, json: json)
        let pendingSet = Set(pending)
        for index in items.indices where !pendingSet.contains(index) {
            let item = items[index]
            reporter.finished(
                index, work: 0,
                BatchResult(
                    input: item.name, output: item.output.relativePath, status: .skipped, error: nil, seconds: nil,
                    outputMegapixels: nil))
        }
        let interrupt = Interrupt {
            reporter.note("stopping after the current tile (Ctrl-C again to quit at once)")
        }
        defer { interrupt.stop() }

        let sharedBudget = memoryBudget / max(jobs, 1)
        let isSmall = { (index: Int) -> Bool in
            guard let header = items[index].header else { return false }
            return header.width * header.height * job.model.bytesPerInputPixel <= sharedBudget
        }
        let small = jobs > 1 ? pending.filter(isSmall) : []
        let smallSet = Set(small)
        let large = pending.filter { !smallSet.contains($0) }

        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: small.isEmpty ? 0 : jobs) { _ in
            EngineThreads.use(EngineThreads.share(concurrent: jobs))
            while !interrupt.requested {
                let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard k < small.count else { break }
                process(small[k], items[small[k]], work: work[small[k]], budget: sharedBudget, reporter, interrupt)
            }
        }
        EngineThreads.use(EngineThreads.cores)
        for index in large where !interrupt.requested {
            process(index, items[index], work: work[index], budget: memoryBudget, reporter, interrupt)
        }
        let seconds = ((ContinuousClock.now - start) / .milliseconds(1)).rounded() / 1000
        return reporter.finish(seconds: seconds, interrupted: interrupt.requested)
    }

    /// Decodes, upscales, encodes and writes one image; reports it unless Ctrl-C stopped it.
    private func process(
        _ index: Int, _ item: BatchItem, work: Double, budget: Int, _ reporter: BatchReporter, _ interrupt: Interrupt
    ) {
        let start = ContinuousClock.now
        func result(_ status: BatchResult.Status, error: String? = nil, megapixels: Double? = nil) -> BatchResult {
            let seconds = ((ContinuousClock.now - start) / .milliseconds(1)).rounded() / 1000
            return BatchResult(
                input: item.name, output: item.output.relativePath, status: status, error: error, seconds: seconds,
                outputMegapixels: megapixels)
        }
        do {
            if let conflict = item.conflict { throw CommandError(conflict) }
            let image = try decodeImage(contentsOf: item.input)
            let upscaled = try job.upscale(
                image, memoryBudget: budget, isCancelled: { interrupt.requested },
                progress: { done, total in reporter.tile(index, work: work, done: done, of: total, name: item.name) })
            try AtomicFile.write(try job.encode(upscaled), to: item.output)
            reporter.finished(
                index, work: work, result(.ok, megapixels: Double(upscaled.width * upscaled.height) / 1e6))
        } catch InferenceError.cancelled {
            reporter.abandoned(index)
        } catch {
            reporter.finished(index, work: work, result(.failed, error: "\(error)"))
        }
    }

    /// Each image's share of the progress bar: its output pixels from the header (an unreadable header counts as
    /// the mean of the others; its decode will fail fast anyway).
    static func work(_ items: [BatchItem], scale: Int) -> [Double] {
        let known = items.map { $0.header.map { Double($0.width * $0.height * scale * scale) } }
        let values = known.compactMap { $0 }
        let mean = values.isEmpty ? 1 : values.reduce(0, +) / Double(values.count)
        return known.map { $0 ?? mean }
    }
}
