"""Two CPU processes train data-parallel (gloo) and end with identical weights and batch-norm statistics.

The last test starts two launcher "nodes", as on two machines, on 127.0.0.1.
"""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from paddle_models.experiment import train_distributed
from tests.test_app import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]


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


def launch_node(master: str, node_dir: Path, train_args: list) -> subprocess.Popen:
    """One "machine": Paddle's launcher with one process, joining the job that ``master`` coordinates."""
    command = [sys.executable, "-m", "paddle.distributed.launch", "--master", master, "--nnodes", "2",
               "--nproc_per_node", "1", "--log_dir", str(node_dir / "launch-logs"),
               str(REPO_ROOT / "paddle_models" / "__main__.py"), "train", *train_args]
    node_dir.mkdir(parents=True)
    return subprocess.Popen(command, cwd=node_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)  # its own process group, stopped as one below


def test_two_launcher_nodes_on_loopback_train_one_model(pm_root, tmp_path):
    """README "Several machines": the launcher started on each node with --master and --nnodes 2.

    Both "machines" are this one (127.0.0.1, CPU, gloo); each has its own working folder and the
    same data path, as a shared or copied dataset would give.  The ranks must end with equal weights,
    only rank 0 writes, and the validation metrics it logged (gathered from both ranks' halves) must
    be what a one-process evaluation of the saved checkpoint measures on the whole split.
    """
    from visualdl import LogReader

    from paddle_models.engine.distributed import spawn_environment
    from paddle_models.experiment import run_evaluation

    runs = tmp_path / "runs"
    train_args = ["--model", "simple_cnn", "--data-root", str(pm_root), "--image-size", "32", "--epochs", "1",
                  "--batch-size", "4", "--optimizer", "momentum", "--lr", "0.01", "--device", "cpu",
                  "--log-dir", str(runs), "--run-name", "two-nodes", "--quiet"]
    master = f"127.0.0.1:{free_port()}"
    with spawn_environment():
        nodes = [launch_node(master, tmp_path / f"node{n}", train_args) for n in range(2)]
    outputs = []
    try:
        for node in nodes:
            outputs.append(node.communicate(timeout=300)[0].decode(errors="replace"))
    finally:
        for node in nodes:
            if node.poll() is None:
                os.killpg(node.pid, signal.SIGKILL)
                node.wait()
    assert [node.returncode for node in nodes] == [0, 0], "\n".join(output[-3000:] for output in outputs)

    run = runs / "two-nodes"
    checksums = json.loads((run / "ranks.json").read_text())["parameter_checksums"]
    assert len(checksums) == 2 and checksums[0] == checksums[1]
    assert len(list(run.glob("vdlrecords.*.log"))) == 1  # rank 0 only
    assert sum("best checkpoint" in output for output in outputs) == 1  # rank 0 reports

    reader = LogReader(file_path=str(next(run.glob("vdlrecords.*.log"))))
    evaluated = run_evaluation(run / "best.pdparams", pm_root, output_dir=tmp_path / "evaluation").metrics
    for name in ("acc", "auc", "kappa", "f1_macro", "sensitivity", "specificity"):
        logged = [record.value for record in reader.get_data("scalar", f"val/{name}")]
        assert logged == [pytest.approx(evaluated[name], abs=1e-6)], name  # VisualDL stores float32
