"""Command line: python -m binsr_train train|srgan|campaign|export|eval|golden|vector (run from training/)."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import tomllib

from binsr_train.config import ConfigError
from binsr_train.metrics.psnr import SET5_DIR


def _overrides(pairs: list[str]) -> dict[str, object]:
    """--set key=value pairs, values parsed as TOML (so 'lr=1e-4', 'name="x"', 'monitor=false')."""
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ConfigError(f"--set expects key=value, got {pair!r}")
        try:
            result[key] = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            result[key] = value
    return result


def cmd_train(args: argparse.Namespace) -> None:
    from binsr_train.config import load_train_config
    from binsr_train.trainers.trainer import Trainer

    config = load_train_config(pathlib.Path(args.config), _overrides(args.set))
    trainer = Trainer(config)
    warmup = config.warmup_iters if trainer.progress.iterations == 0 else 0
    budget = {"seconds": args.seconds} if args.seconds > 0 else {"steps": config.iterations}
    trainer.train(config.lr, warmup=warmup, on_checkpoint=trainer.save_checkpoint, **budget)
    trainer.finish_slice(always_export=True)


def cmd_srgan(args: argparse.Namespace) -> None:
    from binsr_train.config import load_train_config
    from binsr_train.trainers.srgan import GANWeights, train_srgan

    config = load_train_config(pathlib.Path(args.config), _overrides(args.set))
    vgg = pathlib.Path(args.vgg_weights) if args.vgg_weights else None
    train_srgan(config, args.seconds, GANWeights(adversarial=args.adversarial), vgg)


def cmd_campaign(args: argparse.Namespace) -> None:
    from binsr_train.trainers.campaign import run_campaign

    run_campaign(pathlib.Path(args.config))


def _load_state(path: pathlib.Path):
    from safetensors import safe_open

    from binsr_train.config import ModelConfig
    from binsr_train.weights.export import load_state_into

    with safe_open(str(path), "pt") as handle:
        meta = handle.metadata()
    config = ModelConfig(**json.loads(meta["model_config"]))
    model = config.build()
    load_state_into(model, path)
    return model.eval(), config, meta


def cmd_export(args: argparse.Namespace) -> None:
    from binsr_train.weights.export import export_model

    model, config, meta = _load_state(pathlib.Path(args.state))
    provenance = {k: v for k, v in meta.items() if k != "model_config"}
    export_model(model, config, pathlib.Path(args.output), provenance)
    print(f"wrote {args.output}")


def cmd_eval(args: argparse.Namespace) -> None:
    from binsr_train.metrics.psnr import evaluate, load_benchmark

    model, config, _ = _load_state(pathlib.Path(args.state))
    psnr = evaluate(model, load_benchmark(pathlib.Path(args.dataset), config.scale), config.scale)
    print(f"{args.state}: {args.dataset} x{config.scale} Y-PSNR (Python monitor) {psnr:.3f} dB")


def cmd_golden(args: argparse.Namespace) -> None:
    from binsr_train.weights.golden import write_golden

    write_golden(pathlib.Path(args.output))


def cmd_vector(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "scripts"))
    import make_bicubic_vector

    make_bicubic_vector.main()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m binsr_train", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train", help="train one model from a config (DDP under torchrun)")
    p.add_argument("config")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config key")
    p.add_argument("--seconds", type=float, default=0.0,
                   help="train for this many seconds (wall clock on a GPU, compute time on the CPU) instead of "
                        "the config's iterations")
    p.set_defaults(func=cmd_train)
    p = sub.add_parser("srgan", help="fine-tune a config's SRResNet generator against a discriminator (SRGAN)")
    p.add_argument("config")
    p.add_argument("--seconds", type=float, required=True,
                   help="training time (wall clock on a GPU, compute time on the CPU)")
    p.add_argument("--adversarial", type=float, default=1e-3, help="weight of the adversarial loss (SRGAN: 1e-3)")
    p.add_argument("--vgg-weights", default="", help="VGG19 features.* safetensors: adds the perceptual loss")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config key")
    p.set_defaults(func=cmd_srgan)
    p = sub.add_parser("campaign", help="train several models in time slices until killed")
    p.add_argument("config")
    p.set_defaults(func=cmd_campaign)
    p = sub.add_parser("export", help="export a .train.safetensors state to the binsr weight format")
    p.add_argument("state")
    p.add_argument("output")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("eval", help="Python-monitor Y-PSNR of a .train.safetensors state on a test set")
    p.add_argument("state")
    p.add_argument("--dataset", default=str(SET5_DIR))
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("golden", help="write the Swift engine's golden vectors")
    p.add_argument("--output", default=str(pathlib.Path(__file__).resolve().parents[2] / "Tests/Fixtures/golden"))
    p.set_defaults(func=cmd_golden)
    p = sub.add_parser("vector", help="write Tests/Fixtures/bicubic/vector.json")
    p.set_defaults(func=cmd_vector)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (ConfigError, FileNotFoundError, KeyError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
