import ArgumentParser
import Foundation

/// `--models-dir`, shared by every command that reads weight files (argument-parser's `@OptionGroup`), so the flag
/// has one name, one default and one help text.
struct ModelsFolderOption: ParsableArguments {
    @Option(
        name: .customLong("models-dir"),
        help: "Folder of the weight files, named <arch>_x<scale>_<real|binary>.safetensors (an x4 LapSRN also serves x2).")
    var path = "models"

    var url: URL { URL(fileURLWithPath: path) }
}
