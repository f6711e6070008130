/// Splits an image into overlapping tiles so memory stays bounded while the result equals the untiled one.
///
/// Each tile's core is surrounded by a margin of at least the network's receptive-field radius, so every core
/// output pixel sees exactly the inputs it would see in a whole-image pass (zero padding happens only at the real
/// image border). Windows are shifted inward at the right and bottom edges so nearly every tile has the same shape,
/// which keeps the oneDNN primitive cache to a couple of entries.
struct TilePlan {
    struct Tile {
        /// The input window fed to the network.
        let window: (y: Range<Int>, x: Range<Int>)
        /// The part of the window whose outputs are kept.
        let core: (y: Range<Int>, x: Range<Int>)
    }

    let tiles: [Tile]

    init(height: Int, width: Int, tile: Int, margin: Int) {
        precondition(tile > 0 && margin >= 0)
        func spans(_ size: Int) -> [(window: Range<Int>, core: Range<Int>)] {
            // A side that fits in one window is not split: splitting it would only compute the margins twice.
            if size <= tile + 2 * margin { return [(0..<size, 0..<size)] }
            // Balanced cores of at most `tile` (256 px at tile 192: two cores of 128, not 192 + 64), so no window
            // is mostly margin. Measured on a 256x256 x4 upscale: 4 windows of 178 px instead of 4 of 242 px.
            let count = (size + tile - 1) / tile
            let coreSize = (size + count - 1) / count
            // Two tiles touch the image border on one side each, so one margin suffices (a third fewer pixels
            // computed at a 512-pixel x4 input); more tiles have interior ones that need both.
            let windowSize = min(size, coreSize + (count == 2 ? margin : 2 * margin))
            return stride(from: 0, to: size, by: coreSize).map { start in
                let core = start..<min(size, start + coreSize)
                let windowStart = min(max(0, start - margin), size - windowSize)
                return (windowStart..<windowStart + windowSize, core)
            }
        }
        let rows = spans(height)
        let columns = spans(width)
        tiles = rows.flatMap { row in
            columns.map { column in Tile(window: (row.window, column.window), core: (row.core, column.core)) }
        }
    }
}

extension NetworkWeights {
    /// Receptive-field radius in input pixels, rounded up: each k x k conv at resolution r adds (k / 2) / r, each
    /// k4 s2 p1 transposed conv reaches one pixel of its own input (r). One pixel of slack covers the half-pixel
    /// rounding of the upsampling steps.
    var receptiveFieldRadius: Int {
        var radius = 0.0
        func conv(_ layer: ConvLayer, at resolution: Double) { radius += Double(layer.kernel / 2) / resolution }
        func blocks(_ body: [ResidualBlock], at resolution: Double) {
            for block in body {
                conv(block.conv1, at: resolution)
                conv(block.conv2, at: resolution)
            }
        }
        switch self {
        case .srresnet(let net):
            conv(net.headConv, at: 1)
            blocks(net.body, at: 1)
            conv(net.bodyTail, at: 1)
            var resolution = 1.0
            for step in net.upsample {
                conv(step.conv, at: resolution)
                resolution *= 2
            }
            conv(net.tail, at: resolution)
        case .lapsrn(let net):
            conv(net.headConv, at: 1)
            var resolution = 1.0
            for level in net.levels {
                blocks(level.body, at: resolution)
                radius += 1 / resolution  // `up`; `image_up` on the image path reaches no further
                resolution *= 2
                conv(level.residual, at: resolution)
            }
        }
        return Int(radius.rounded(.up)) + 1
    }
}
