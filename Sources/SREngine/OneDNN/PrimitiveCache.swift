import Foundation
import Synchronization

/// Convolution primitives per network input shape, created on first use and then shared by every call (and thread)
/// that runs that shape. Tiling keeps the number of shapes small; `capacity` bounds it for arbitrary image sizes.
final class PrimitiveCache: Sendable {
    /// The plans, and their keys oldest first.
    private let state = Mutex<(plans: [String: ShapePlan], order: [String])>(([:], []))
    let capacity: Int

    init(capacity: Int = 6) { self.capacity = capacity }

    func plan(height: Int, width: Int) -> ShapePlan {
        let key = "\(height)x\(width)"
        return state.withLock { state in
            if let plan = state.plans[key] { return plan }
            let plan = ShapePlan()
            state.plans[key] = plan
            state.order.append(key)
            // Callers still running keep their plan alive.
            if state.order.count > capacity { state.plans[state.order.removeFirst()] = nil }
            return plan
        }
    }
}

/// The primitives of one input shape, keyed by layer and fusion.
final class ShapePlan: Sendable {
    /// Held while a missing primitive is created, so each is created once.
    private let primitives = Mutex<[String: ConvolutionPrimitive]>([:])

    func primitive(_ key: String, _ spec: () -> ConvolutionSpec) throws(DNNLError) -> ConvolutionPrimitive {
        try primitives.withLock { primitives throws(DNNLError) in
            if let found = primitives[key] { return found }
            let created = try ConvolutionPrimitive(spec())
            primitives[key] = created
            return created
        }
    }

    /// `layer -> implementation` of every primitive created so far, for `binsr bench`.
    var implementations: [String: String] { primitives.withLock { $0.mapValues(\.implementation) } }
}
