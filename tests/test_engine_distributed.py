"""Two CPU processes train data-parallel (gloo) and end with identical weights and batch-norm statistics."""
import json

import pytest

from paddle_models.experiment import train_distributed


@pytest.mark.parametrize("precise_bn", [0, 8], ids=["averaged-bn", "precise-bn"])
def test_two_process_gloo_run_keeps_ranks_in_sync(pm_root, tmp_path, precise_bn):
    # simple_cnn has batch norm: each rank's running statistics come from its own batches until the
    # trainer averages them (or recomputes them from both ranks' shares, precise_bn)
    settings = dict(model="simple_cnn", data_root=str(pm_root), image_size=32, epochs=2, batch_size=4,
                    optimizer="momentum", lr=0.01, device="cpu", log_dir=str(tmp_path), run_name="ddp",
                    precise_bn=precise_bn)
    train_distributed(settings, nprocs=2)
    checksums = json.loads((tmp_path / "ddp" / "ranks.json").read_text())["parameter_checksums"]
    assert len(checksums) == 2 and checksums[0] == checksums[1]
    assert (tmp_path / "ddp" / "best.pdparams").exists()
    assert len(list((tmp_path / "ddp").glob("vdlrecords.*.log"))) == 1  # rank 0 only
