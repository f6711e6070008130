import CDNNL

/// A oneDNN call that failed: the C function's name and its status code (dnnl_types.h `dnnl_status_t`).
public struct DNNLError: Error, CustomStringConvertible {
    public let call: String
    public let status: Int

    public var description: String { "oneDNN \(call) failed with status \(status)" }
}

@inline(never)
func dnnlCheck(_ status: dnnl_status_t, _ call: String) throws(DNNLError) {
    guard status == dnnl_success else { throw DNNLError(call: call, status: Int(status.rawValue)) }
}

/// The process-wide CPU engine. oneDNN engines are thread-safe and meant to be shared.
final class DNNLEngine: @unchecked Sendable {
    static let shared: DNNLEngine = {
        do { return try DNNLEngine() } catch { fatalError("oneDNN cannot create a CPU engine: \(error)") }
    }()

    let handle: dnnl_engine_t

    private init() throws(DNNLError) {
        var engine: dnnl_engine_t?
        try dnnlCheck(dnnl_engine_create(&engine, dnnl_cpu, 0), "dnnl_engine_create")
        handle = engine!
    }
}

/// A memory descriptor for `dims` in a format tag (`dnnl_format_tag_any` lets the primitive choose).
func dnnlMemoryDesc(_ dims: [Int], _ type: dnnl_data_type_t, _ tag: dnnl_format_tag_t) throws(DNNLError)
    -> dnnl_memory_desc_t
{
    var md = dnnl_memory_desc_t()
    let d = dims.map { dnnl_dim_t($0) }
    try dnnlCheck(dnnl_memory_desc_init_by_tag(&md, Int32(d.count), d, type, tag), "dnnl_memory_desc_init_by_tag")
    return md
}

/// A library-owned oneDNN memory object (weights, biases, slopes), destroyed with its owner.
final class DNNLOwnedMemory: @unchecked Sendable {
    let handle: dnnl_memory_t
    let desc: dnnl_memory_desc_t

    init(_ desc: dnnl_memory_desc_t) throws(DNNLError) {
        var md = desc
        var memory: dnnl_memory_t?
        try dnnlCheck(
            dnnl_memory_create(&memory, &md, DNNLEngine.shared.handle, binsr_dnnl_memory_allocate()),
            "dnnl_memory_create")
        handle = memory!
        self.desc = desc
    }

    /// A plain f32 memory in `tag` holding `values`, reordered into `target` when that layout differs.
    static func floats(_ values: [Float], dims: [Int], tag: dnnl_format_tag_t, target: dnnl_memory_desc_t? = nil)
        throws(DNNLError) -> DNNLOwnedMemory
    {
        let plain = try DNNLOwnedMemory(try dnnlMemoryDesc(dims, dnnl_f32, tag))
        try plain.write(values)
        guard var wanted = target else { return plain }
        var have = plain.desc
        if dnnl_memory_desc_equal(&wanted, &have) != 0 { return plain }
        let converted = try DNNLOwnedMemory(wanted)
        try DNNLReorder.run(from: plain, to: converted)
        return converted
    }

    func write<T>(_ values: [T]) throws(DNNLError) {
        var data: UnsafeMutableRawPointer?
        try dnnlCheck(dnnl_memory_get_data_handle(handle, &data), "dnnl_memory_get_data_handle")
        values.withUnsafeBytes { data!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    deinit { dnnl_memory_destroy(handle) }
}
/// A reorder primitive between two fixed layouts, created once and run many times (the int8 layers' per-call
/// weights: creating the primitive and a stream each time cost more than the reorder itself).
final class DNNLReorderPrimitive: @unchecked Sendable {
    private let primitive: dnnl_primitive_t

    init(from source: dnnl_memory_desc_t, to destination: dnnl_memory_desc_t) throws(DNNLError) {
        let engine = DNNLEngine.shared.handle
        var pd: dnnl_primitive_desc_t?
        var src = source
        var dst = destination
        try dnnlCheck(
            dnnl_reorder_primitive_desc_create(&pd, &src, engine, &dst, engine, nil),
            "dnnl_reorder_primitive_desc_create")
        defer { dnnl_primitive_desc_destroy(pd) }
        var created: dnnl_primitive_t?
        try dnnlCheck(dnnl_primitive_create(&created, pd), "dnnl_primitive_create(reorder)")
        primitive = created!
    }

    deinit { dnnl_primitive_destroy(primitive) }

    func run(from source: DNNLOwnedMemory, to destination: DNNLOwnedMemory, on stream: DNNLStream)
        throws(DNNLError)
    {
        let args = [
            dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: source.handle),
            dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: destination.handle),
        ]
        try dnnlCheck(dnnl_primitive_execute(primitive, stream.handle, Int32(args.count), args), "reorder execute")
        try dnnlCheck(dnnl_stream_wait(stream.handle), "dnnl_stream_wait")
    }
}

/// One-off reorders used at load time (weights into the layout a convolution asked for).
enum DNNLReorder {
    static func run(from source: DNNLOwnedMemory, to destination: DNNLOwnedMemory) throws(DNNLError) {
        try DNNLReorderPrimitive(from: source.desc, to: destination.desc)
            .run(from: source, to: destination, on: try DNNLStream())
    }
}

/// A CPU stream. Streams are not thread-safe, so every inference call makes its own (cheap on CPU).
final class DNNLStream {
    let handle: dnnl_stream_t

    init() throws(DNNLError) {
        var stream: dnnl_stream_t?
        try dnnlCheck(
            dnnl_stream_create(&stream, DNNLEngine.shared.handle, dnnl_stream_default_flags.rawValue),
            "dnnl_stream_create")
        handle = stream!
    }

    deinit { dnnl_stream_destroy(handle) }
}
