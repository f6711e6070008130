import ArgumentParser

@main
struct Binsr: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Super-resolution with binarized neural networks: serve, upscale, evaluate, benchmark.",
        subcommands: [
            ServeCommand.self, UpscaleCommand.self, Eval.self, ModelsCommand.self, BenchCommand.self, GateCommand.self,
        ]
    )
}
