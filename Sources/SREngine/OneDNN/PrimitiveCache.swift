import Foundation

/// Convolution primitives per network input shape, created on first use and then shared by every call (and thread)
/// that runs that shape. Tiling keeps the number of shapes small; `capacity` bounds it for arbitrary image sizes.
final class PrimitiveCache: @unchecked Sendable {
    private let lock = NSLock()
    private var plans: [String: ShapePlan] = [:]
    private var order: [String] = []
    let capacity: Int

    init(capacity: Int = 6) { self.capacity = capacity }

    func plan(height: Int, width: Int) -> ShapePlan {
        let key = "\(height)x\(width)"
        lock.lock()
        defer { lock.unlock() }
        if let plan = plans[key] { return plan }
        let plan = ShapePlan()
        plans[key] = plan
        order.append(key)
        if order.count > capacity { plans[order.removeFirst()] = nil }  // callers still running keep their plan alive
        return plan
    }
}

/// The primitives of one input shape, keyed by layer and fusion.
final class ShapePlan: @unchecked Sendable {
    private let lock = NSLock()
    private var primitives: [String: ConvolutionPrimitive] = [:]

    func primitive(_ key: String, _ spec: () -> ConvolutionSpec) throws(DNNLError) -> ConvolutionPrimitive {
        lock.lock()
        defer { lock.unlock() }
        if let found = primitives[key] { return found }
        let created = try ConvolutionPrimitive(spec())
        primitives[key] = created
        return created
    }

    /// `layer -> implementation` of every primitive created so far, for `binsr bench`.
    var implementations: [String: String] {
        lock.lock()
        defer { lock.unlock() }
        return primitives.mapValues(\.implementation)
    }
}
