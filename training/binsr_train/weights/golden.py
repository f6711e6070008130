"""Golden vectors for the Swift engine's equivalence tests (Tests/Fixtures/golden/).

For each small configuration: <name>.safetensors (exported weights, BN folded) and <name>.io.safetensors with
`input` F32 [3,h,w] (odd h, w, values in [0,1]) and `output` F32 [3,sh,sw] = the eval-mode output of the UNFOLDED
PyTorch model computed in float64 (LapSRN x4 also `output_x2`). BN statistics, affine parameters, PReLU slopes and
learnable alphas are randomised (some gammas negative, so folded alphas change sign) and a few latent weights are
exactly zero (sign(0) = +1), so that folding and packing are actually exercised.
"""

from __future__ import annotations

import pathlib

import torch
from safetensors.numpy import save_file
from torch import nn

from binsr_train.archs.binarize import BinaryConv2d
from binsr_train.config import ModelConfig
from binsr_train.weights.export import export_model

SEED = 20190616
INPUT_HEIGHT = 11
INPUT_WIDTH = 13
GOLDEN_CONFIGS: dict[str, ModelConfig] = {
    "srresnet_x4_b2_c16_binary": ModelConfig("srresnet", 4, 2, 16, "blocks", "learnable"),
    "srresnet_x2_b1_c8_real": ModelConfig("srresnet", 2, 1, 8, "none"),
    "srresnet_x4_b1_c8_real": ModelConfig("srresnet", 4, 1, 8, "none"),
    "srresnet_x2_b1_c8_all": ModelConfig("srresnet", 2, 1, 8, "all", "deterministic"),
    "lapsrn_x4_b1_c16_binary": ModelConfig("lapsrn", 4, 1, 16, "blocks", "learnable"),
    "lapsrn_x4_b1_c16_real": ModelConfig("lapsrn", 4, 1, 16, "none"),
}


@torch.no_grad()
def randomise(model: nn.Module, generator: torch.Generator) -> None:
    """Non-trivial BN statistics, PReLU slopes, alphas, biases and a few exactly-zero latent weights."""
    def uniform(shape, low, high):
        return torch.rand(shape, generator=generator) * (high - low) + low

    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            c = module.num_features
            module.running_mean.copy_(torch.randn(c, generator=generator) * 0.3)
            module.running_var.copy_(uniform(c, 0.5, 2.0))
            sign = torch.where(torch.rand(c, generator=generator) < 0.2, -1.0, 1.0)
            module.weight.copy_(uniform(c, 0.5, 1.5) * sign)
            module.bias.copy_(torch.randn(c, generator=generator) * 0.1)
        elif isinstance(module, nn.PReLU):
            module.weight.copy_(uniform(module.weight.shape, 0.05, 0.5))
        elif isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
            if module.bias is not None:
                module.bias.copy_(torch.randn(module.bias.shape, generator=generator) * 0.05)
            if isinstance(module, BinaryConv2d):
                flat = module.weight.view(-1)
                flat[torch.randint(0, flat.numel(), (max(1, flat.numel() // 50),), generator=generator)] = 0.0
                if module.alpha is not None:
                    module.alpha.copy_(module.weight_alpha() * uniform(module.out_channels, 0.5, 1.5))


def make_golden(name: str, config: ModelConfig) -> tuple[nn.Module, torch.Tensor, list[torch.Tensor]]:
    generator = torch.Generator().manual_seed(SEED + sum(map(ord, name)))
    torch.manual_seed(SEED + sum(map(ord, name)))
    model = config.build()
    randomise(model, generator)
    model.eval()
    x = torch.rand(1, 3, INPUT_HEIGHT, INPUT_WIDTH, generator=generator)
    with torch.no_grad():
        out = model.double()(x.double())
    model.float()
    outputs = out if isinstance(out, list) else [out]
    return model, x, [o.float() for o in outputs]


def write_golden(directory: pathlib.Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, config in GOLDEN_CONFIGS.items():
        model, x, outputs = make_golden(name, config)
        export_model(model, config, directory / f"{name}.safetensors", {"purpose": "golden test vector"})
        io = {"input": x[0].numpy(), "output": outputs[-1][0].numpy()}
        if len(outputs) == 2:
            io["output_x2"] = outputs[0][0].numpy()
        save_file({k: v.copy() for k, v in io.items()}, str(directory / f"{name}.io.safetensors"),
                  metadata={"model": name, "seed": str(SEED)})
        (directory / f"{name}.io.safetensors").chmod(0o644)
        print(f"{name}: output range [{float(outputs[-1].min()):.3f}, {float(outputs[-1].max()):.3f}]")
