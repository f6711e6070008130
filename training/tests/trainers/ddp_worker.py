"""Run under torchrun by test_trainer.py: two DDP steps, then each rank writes its parameters for comparison."""

from __future__ import annotations

import pathlib
import sys

import torch
from safetensors.torch import save_file

from binsr_train.config import ModelConfig, TrainConfig
from binsr_train.trainers.trainer import Trainer


def main() -> None:
    train_root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    config = TrainConfig(name="ddp", model=ModelConfig("srresnet", 2, 1, 8, "blocks"), patch=16, batch=2,
                         iterations=2, folders=("Synthetic",), train_root=str(train_root), runs_dir=str(out / "runs"),
                         models_dir=str(out / "models"), threads=1, monitor=False, warmup_iters=0)
    trainer = Trainer(config, log=lambda message: None)
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    trainer.train(1e-2, steps=2)
    trainer.finish_slice(always_export=True)  # rank 0 only: exports models/ddp.*
    state = {k: v.detach().contiguous() for k, v in trainer.model.state_dict().items()}
    changed = any(not torch.equal(before[k], state[k]) for k in state if k.endswith("weight"))
    save_file(state, str(out / f"rank{trainer.rank}.safetensors"), metadata={"changed": str(changed),
                                                                              "world": str(trainer.world)})
    torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
