import ArgumentParser
import SREngine

// The engine's vocabulary as option values (`--arch lapsrn`, `--weights real`): argument-parser refuses anything
// else and lists the choices in `--help`, so no command checks these names itself.
extension Architecture: ExpressibleByArgument {}
extension WeightKind: ExpressibleByArgument {}
