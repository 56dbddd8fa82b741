"""The training loop of the course: small enough to read in one sitting.

    trainer = Trainer(model, train_set, valid_set, TrainConfig(epochs=10, lr=1e-3), record=...)
    history = trainer.fit()      # {'train/loss': [...], 'val/acc': [...], ...} one value per epoch

Each epoch: shuffle (reproducibly), forward, loss (auxiliary heads weighted 0.3), backward, clip,
step, schedule; optionally recompute the batch-norm statistics (``precise_bn``, batchnorm.py); then
validate on the *validation* split, log everything to VisualDL, keep the best epoch by
``config.monitor``, write the checkpoints atomically, and stop early when asked.  At the end the
best weights are evaluated once more; the temperature and the operating point fitted on those
validation outputs (``referral.screening_record``) are recorded in ``best.pdparams``.
"""
from __future__ import annotations

import json
import math
import random
import time
import warnings
from dataclasses import fields
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import paddle
from tqdm import tqdm  # not tqdm.auto: its asyncio variant calls iter() on the loader twice

from ..data import class_weights
from ..errors import UserError
from ..figures import plot_confusion_matrix, plot_roc_curves
from ..files import write_text
from ..metrics import BINARY_ONLY_METRICS, confusion_matrix, epoch_metric_names, roc_auc
from ..models.pretrained import compare_weights
from ..record import ModelRecord, record_for_model
from ..settings import SettingsError, TrainConfig, hparam_names, monitors, resume_differences
from ..referral import screening_record
from ..tasks import output_count
from ..visualdl_log import RunLogger
from . import distributed
from .batchnorm import average_batch_norm_stats, recompute_batch_norm_stats
from .checkpoint import (BEST, LAST, load_checkpoint, optimizer_state, restore_optimizer_state, save_checkpoint,
                         update_checkpoint_meta)
from .device import choose_device, set_seed, use_amp
from .evaluate import EvalResult, evaluate
from .loader import WORKER_FAILURE_HINT, is_worker_failure, make_loader, set_loader_epoch
from .losses import NonFiniteLossError, TaskLoss, main_output, non_finite_advice, to_probabilities
from .optim import build_optimizer, build_scheduler, l1_penalty
from .runlock import claim_run_folder

# Paddle 3 repeats this notice for every BatchNorm layer at every train() call; it informs, nothing more.
warnings.filterwarnings("ignore", message="When training, we now always track global mean")

HPARAM_METRICS = ["val/acc", "val/auc", "val/kappa", "val/loss"]
# What a checkpoint's meta says of the model and data; a resumed run must agree on all of them.
RUN_FACTS = ("model_name", "model_options", "num_classes", "task", "class_names", "input_size", "preprocess",
             "dataset")


def where(dataset) -> str:
    """Where a dataset's images are, for messages: its root and split."""
    return f"{getattr(dataset, 'root', None) or type(dataset).__name__}, split {getattr(dataset, 'split', None)!r}"


def check_settings_fit_data(config: TrainConfig, train_set, valid_set) -> None:
    """Settings that cannot work with this data are refused before anything is built or written."""
    classes = train_set.num_classes
    trained, validated = (list(getattr(part, "class_names", None) or []) for part in (train_set, valid_set))
    if trained and validated and trained != validated:  # label k would mean another class in each
        raise UserError(f"the validation images ({where(valid_set)}) have the classes {validated}, the "
                        f"training images ({where(train_set)}) {trained}: give both the same class "
                        "folders (a class without validation images may stay empty)")
    if config.loss == "bce" and classes != 2:
        raise SettingsError(f"loss='bce' trains one logit, for two classes; this data has {classes} classes "
                            f"({', '.join(map(str, trained))}): use loss='ce' (or loss='ordinal' for grades)")
    computed = monitors(epoch_metric_names(classes))
    if config.monitor not in computed:
        only_binary = config.monitor.split("/")[-1] in BINARY_ONLY_METRICS
        raise SettingsError(f"monitor={config.monitor!r} is not computed for {classes} classes"
                            + (" (sensitivity and specificity exist for two classes only)" if only_binary else "")
                            + "; choose one of: " + ", ".join(computed))


class ResumeError(UserError, RuntimeError):
    """``resume`` was asked for, but there is nothing to resume, or it was another run."""


class RunFolderTakenError(UserError, RuntimeError):
    """A fresh run was started in a folder that already holds a run (and ``overwrite`` was not given)."""


class Trainer:
    def __init__(self, model, train_set, valid_set, config: Optional[TrainConfig] = None,
                 meta: Optional[dict] = None, class_names: Optional[List[str]] = None, loss=None,
                 record: Optional[ModelRecord] = None):
        """``record``: the run record the checkpoints carry (``experiment.model_record``); a partial
        ``meta`` dict instead is completed from the model, the data and the config.
        ``loss``: a callable (outputs, labels) -> scalar loss to train with instead of the one
        ``config.loss`` names (a lesson's own loss); ``config.loss`` still says what the outputs mean
        (its task), i.e. how evaluation turns them into probabilities."""
        self.config = config or TrainConfig()
        self.custom_loss = loss
        self.model, self.train_set, self.valid_set = model, train_set, valid_set
        check_settings_fit_data(self.config, train_set, valid_set)
        self.class_names = list(class_names or getattr(train_set, "class_names", None)
                                or [str(c) for c in range(train_set.num_classes)])
        self.record = record if record is not None else self._complete_record(meta)
        self.output_dir = Path(self.config.output_dir)
        self.best_checkpoint = self.output_dir / BEST
        self.log_dir = Path(self.config.log_dir) / self.config.run_name
        self.history: Dict[str, list] = {}
        self.best_value, self.best_epoch, self.stale_epochs, self.start_epoch = None, -1, 0, 0
        self.last_evaluation = None  # (epoch, EvalResult) of the latest validation pass

    @property
    def meta(self) -> ModelRecord:
        """The run record (read like the stored dict: ``trainer.meta["class_names"]``)."""
        return self.record

    def _complete_record(self, meta: Optional[dict]) -> ModelRecord:
        """A record from a partial meta dict: the task, classes and preprocessing the run trains with."""
        stored = dict(meta or {})
        stored.setdefault("task", self.config.task)
        stored.setdefault("class_names", self.class_names)
        stored["num_classes"] = output_count(stored["task"], len(stored["class_names"]))  # what the data needs
        preprocess = getattr(self.train_set, "preprocess", None)
        if preprocess is not None:
            stored.setdefault("preprocess", preprocess.to_dict())
        return record_for_model(self.model, stored)

    # ------------------------------------------------------------------ set-up

    def _prepare(self):
        config = self.config
        if config.sampler == "balanced" and distributed.world_size() > 1:
            raise SettingsError("sampler='balanced' is not supported in multi-device training (each device "
                                "would draw its own balanced batches from the whole set): use "
                                "loss='weighted_ce' instead, or train on one device")
        set_seed(config.seed)
        self.device = choose_device(config.device)
        distributed.init_if_needed()
        self.amp = use_amp(config.amp, self.device)
        self.scaler = paddle.amp.GradScaler(init_loss_scaling=2.0**15) if self.amp else None
        self.loader = make_loader(self.train_set, config.batch_size, train=True, seed=config.seed,
                                  num_workers=config.num_workers, sampler=config.sampler,
                                  world_size=distributed.world_size(), rank=distributed.rank())
        self.scheduler = build_scheduler(config, len(self.loader))
        self.network = paddle.DataParallel(self.model) if distributed.world_size() > 1 else self.model
        self.optimizer = build_optimizer(config, self.model.parameters(), self.scheduler)

        weights = None
        if config.loss == "weighted_ce":
            weights = class_weights(self.train_set.labels, self.train_set.num_classes)
        self.loss = self.custom_loss or TaskLoss(
            config.loss, num_classes=self.train_set.num_classes, class_weights=weights,
            label_smoothing=config.label_smoothing, aux_weight=config.aux_weight)
        if config.resume:
            self._restore(self._resumable_state())

    # ------------------------------------------------------------------ the loop

    def fit(self) -> Dict[str, list]:
        """Train; the run folder is locked meanwhile, so a second run into it stops at once (runlock.py)."""
        if not distributed.is_main_process():
            return self._fit()
        with claim_run_folder(self.output_dir, (self.train_set, self.valid_set), log_folder=self.log_dir):
            if not self.config.resume:
                self._clear_earlier_run()
            try:
                return self._fit()
            except BaseException:
                if not self.config.resume and not self.history:  # failed before its first epoch ended
                    self._remove_visualdl_log()  # else it alone would block the corrected rerun
                raise

    def _earlier_run_files(self) -> list:
        """What an earlier run left in this run's folders: checkpoints and VisualDL records."""
        files = [self.output_dir / name for name in (BEST, LAST)]
        return [path for path in files if path.exists()] + sorted(self.log_dir.glob("vdlrecords.*.log"))

    def _remove_visualdl_log(self) -> None:
        for path in self.log_dir.glob("vdlrecords.*.log"):
            path.unlink()

    def _clear_earlier_run(self) -> None:
        """A fresh run never silently replaces another: refuse, unless ``overwrite`` asks for it."""
        earlier = self._earlier_run_files()
        if earlier and not self.config.overwrite:
            names = ", ".join(path.name for path in earlier[:3])
            raise RunFolderTakenError(f"{self.output_dir} already holds a run ({names}): pass resume=True to "
                                      "continue it, another run_name=... for a new run, or overwrite=True to "
                                      "replace it")
        for path in earlier:  # overwrite: one run's curves in VisualDL, not two runs' mixed
            path.unlink()

    def _fit(self) -> Dict[str, list]:
        self._prepare()
        main = distributed.is_main_process()
        self.logger = RunLogger(self.config.log_dir, self.config.run_name, enabled=main)
        try:
            self.logger.text("run/config", str(self.config.to_dict()))
            for epoch in range(self.start_epoch, self.config.epochs):
                started = time.time()
                train_loss, train_acc, train_auc = self.train_one_epoch(epoch)
                if self.config.precise_bn:
                    recompute_batch_norm_stats(self.model, self.train_set, self.config.batch_size,
                                               max_images=self.config.precise_bn)
                else:
                    average_batch_norm_stats(self.model)   # multi-device: one set of statistics for all ranks
                result = evaluate(self.network, self.valid_set, self.config.batch_size, self.config.task,
                                  self.loss, self.class_names, learning_rate=self.optimizer.get_lr())
                scores = {"train/loss": train_loss, "train/acc": train_acc, "train/auc": train_auc,
                          "val/loss": result.loss,
                          **{f"val/{name}": value for name, value in result.metrics.items()},
                          "lr": self.optimizer.get_lr()}
                improved = self._record(epoch, scores)
                self.last_evaluation = (epoch, result)
                if main:
                    self._save(epoch, improved)
                    print(self._summary_line(epoch, scores, time.time() - started, improved), flush=True)
                if self.config.patience and self.stale_epochs >= self.config.patience:
                    print(f"early stop: {self.config.monitor} did not improve for {self.config.patience} epochs")
                    break
            self._check_ranks_in_sync()
            self._log_final_evaluation()
        finally:
            self.logger.close()
        return self.history

    def train_one_epoch(self, epoch: int):
        self.network.train()
        set_loader_epoch(self.loader, epoch)
        self._seed_epoch(epoch)
        losses, correct, seen, train_probs, train_labels = [], 0, 0, [], []
        bar = tqdm(self.loader, desc=f"epoch {epoch + 1}/{self.config.epochs}", leave=False,
                   disable=not (self.config.progress and distributed.is_main_process()))
        try:
            for step, (images, labels) in enumerate(bar):
                if epoch == 0 and step == 0:
                    self.logger.image_batch("train/inputs", images.numpy(), 0, getattr(self.train_set, "preprocess", None))
                loss, logits = self.train_step(images, labels, epoch, step)
                losses.append(loss)
                probs = to_probabilities(main_output(logits).numpy(), self.config.task)
                truth = labels.numpy().reshape(-1)
                correct += int((probs.argmax(axis=1) == truth).sum())
                seen += len(truth)
                train_probs.append(probs)
                train_labels.append(truth)
                global_step = epoch * len(self.loader) + step
                self.logger.scalars({"step/train_loss": loss, "step/lr": self.optimizer.get_lr()}, global_step)
                bar.set_postfix(loss=f"{np.mean(losses):.4f}", acc=f"{correct / seen:.3f}")
        except (RuntimeError, SystemError) as error:
            if self.config.num_workers and is_worker_failure(error):
                raise RuntimeError(WORKER_FAILURE_HINT.format(error=error)) from error
            raise
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # one class in the epoch's labels: AUC undefined (nan)
            auc = roc_auc(np.concatenate(train_labels), np.concatenate(train_probs))
        return (distributed.average_across_ranks(float(np.mean(losses))),
                distributed.average_across_ranks(correct / max(1, seen)),
                distributed.average_across_ranks(auc))

    def train_step(self, images, labels, epoch: int, step: int):
        """One optimisation step; returns (loss value, model outputs)."""
        with paddle.amp.auto_cast(enable=self.amp):
            outputs = self.network(images)
            loss = self.loss(outputs, labels)
            if self.config.l1_decay:
                loss = loss + l1_penalty(self.model, self.config.l1_decay)
        value = float(loss.item())
        if not math.isfinite(value):
            raise NonFiniteLossError(non_finite_advice(f"the loss became {value} at epoch {epoch + 1}, "
                                                       f"step {step + 1}", self.optimizer.get_lr()))
        if self.scaler:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()
        self.optimizer.clear_grad()
        self.scheduler.step()
        return value, outputs

    # ------------------------------------------------------------------ bookkeeping

    def _seed_epoch(self, epoch: int) -> None:
        """Reseed Paddle at each epoch (dropout, paddle transforms): a resumed run repeats it exactly."""
        set_seed(self.config.seed * 1000 + epoch)

    def _record(self, epoch: int, scores: Dict[str, float]) -> bool:
        for name, value in scores.items():
            self.history.setdefault(name, []).append(float(value))
        self.logger.scalars(scores, epoch + 1)
        value = scores[self.config.monitor]
        if not np.isfinite(value):
            value = -np.inf if self.config.monitor_mode == "max" else np.inf
        better = (self.best_value is None or
                  (value > self.best_value if self.config.monitor_mode == "max" else value < self.best_value))
        if better:
            self.best_value, self.best_epoch, self.stale_epochs = float(value), epoch, 0
        else:
            self.stale_epochs += 1
        return better

    def _save(self, epoch: int, improved: bool) -> None:
        weights = self.model.state_dict()
        if improved:
            save_checkpoint({"model": weights, "meta": self.record.to_dict(), "epoch": epoch,
                             "metrics": {k: v[-1] for k, v in self.history.items()}}, self.best_checkpoint)
        if not self.config.save_last:
            return
        save_checkpoint({
            "model": weights, "optimizer": optimizer_state(self.optimizer, self.model), "scheduler": self.scheduler.state_dict(),
            "meta": self.record.to_dict(), "config": self.config.to_dict(), "epoch": epoch, "history": self.history,
            "best_value": self.best_value, "best_epoch": self.best_epoch, "stale_epochs": self.stale_epochs,
            "rng": {"numpy": np.random.get_state(), "python": random.getstate()},
        }, self.output_dir / LAST)

    def _resumable_state(self) -> dict:
        """last.pdckpt of this run, after checking it is this run's: same model, same settings."""
        path = self.output_dir / LAST
        if not path.exists():
            best = " (best.pdparams is there, and a fresh run would overwrite it)" if self.best_checkpoint.exists() else ""
            raise ResumeError(f"resume=True: there is no {path} to continue from{best}. Check run_name=... and "
                              "log_dir=..., or drop resume=True to start a new run. (Runs trained with "
                              "save_last=False cannot be resumed.)")
        state = load_checkpoint(path)
        differences = self._differences_from(state)
        if differences:
            raise ResumeError(f"resume=True: {path} is a different run: " + "; ".join(differences)
                              + ". Use the original settings, or another run_name=... for a new run.")
        return state

    def _differences_from(self, state: dict) -> List[str]:
        """What differs between the run saved in ``state`` and this one, among what changes the result.

        The settings schema says which settings those are (all but the ``resumable`` ones); a run
        built without it (a lesson's own Trainer) is compared by what its meta says of the model and data.
        """
        saved_meta, current_meta = state.get("meta") or {}, self.record.to_dict()
        saved = {**(saved_meta.get("settings") or {}), **(state.get("config") or {})}
        differences = resume_differences(saved, {**self.record.settings, **self.config.to_dict()})
        if not differences:
            differences = [f"{key} {saved_meta[key]} -> {current_meta[key]}" for key in RUN_FACTS
                           if key in saved_meta and saved_meta[key] != current_meta.get(key)]
        return differences

    def _restore(self, state: dict) -> None:
        """Continue from ``last.pdckpt``: weights, optimizer, schedule, history, best epoch."""
        misfit = compare_weights(self.model, state["model"]).problems()
        if misfit:  # set_state_dict would only warn and keep random weights
            raise ResumeError(f"resume=True: the weights in {self.output_dir / LAST} do not fit this model: "
                              f"{len(misfit)} problem(s), e.g. {'; '.join(misfit[:2])}. Use the original "
                              "settings, or another run_name=... for a new run.")
        self.model.set_state_dict(state["model"])
        restore_optimizer_state(self.optimizer, self.model, state["optimizer"])
        self.scheduler.set_state_dict(state["scheduler"])
        self.history = {name: list(values) for name, values in state["history"].items()}
        self.best_value, self.best_epoch = state["best_value"], state["best_epoch"]
        self.stale_epochs, self.start_epoch = state["stale_epochs"], state["epoch"] + 1
        np.random.set_state(state["rng"]["numpy"])
        random.setstate(state["rng"]["python"])
        if self.start_epoch >= self.config.epochs:
            raise ResumeError(f"resume=True: {self.output_dir / LAST} already finished its {self.start_epoch} "
                              f"epoch(s): nothing to continue. Pass epochs={self.start_epoch + 1} or more to train "
                              "it further")
        print(f"resuming after epoch {self.start_epoch} from {self.output_dir / LAST}")

    def _check_ranks_in_sync(self) -> None:
        """Multi-device runs: every rank must end with the same weights (written to ranks.json)."""
        if distributed.world_size() == 1:
            return
        checksums = distributed.parameter_checksums(self.model)
        if distributed.is_main_process():
            self.output_dir.mkdir(parents=True, exist_ok=True)
            write_text(self.output_dir / "ranks.json", json.dumps({"parameter_checksums": checksums}))
        if len(set(checksums)) != 1:
            raise RuntimeError(f"the {len(checksums)} ranks ended with different weights: {checksums}")

    def _summary_line(self, epoch: int, scores: Dict[str, float], seconds: float, improved: bool) -> str:
        shown = "  ".join(f"{name} {scores[name]:.4f}" for name in
                          ("train/loss", "train/acc", "val/loss", "val/acc", "val/auc", "val/kappa")
                          if name in scores and np.isfinite(scores[name]))
        star = " *" if improved else ""
        return f"epoch {epoch + 1}/{self.config.epochs}  {shown}  lr {scores['lr']:.2e}  {seconds:.1f}s{star}"

    def _best_epoch_evaluation(self) -> EvalResult:
        """The validation pass of the best weights, which the model holds afterwards.

        When the best epoch is the last one run, the model in memory *is* the best checkpoint and its
        validation pass was just made: reuse it instead of reloading and evaluating again (the one
        extra pass was most of the trainer's overhead over a bare loop; benchmarks/engine.py).
        """
        last_epoch, last_result = self.last_evaluation or (None, None)
        if last_epoch == self.best_epoch and distributed.world_size() == 1:
            return last_result
        self.model.set_state_dict(load_checkpoint(self.best_checkpoint)["model"])
        return evaluate(self.model, self.valid_set, self.config.batch_size, self.config.task,
                        self.loss, self.class_names, across_ranks=False)

    def _log_final_evaluation(self) -> None:
        """With the best weights: confusion matrix, ROC and PR curves, hyper-parameters."""
        if not distributed.is_main_process() or not self.best_checkpoint.exists():
            return

        result: EvalResult = self._best_epoch_evaluation()
        step = self.best_epoch + 1
        log = self.logger
        log.figure("val/confusion_matrix", plot_confusion_matrix(confusion_matrix(result.y_true, result.probs),
                                                                 self.class_names), step)
        log.figure("val/roc_figure", plot_roc_curves(result.y_true, result.probs, self.class_names), step)
        log.pr_curve("val/pr", result.y_true, result.probs, step, self.class_names)
        log.roc_curve("val/roc", result.y_true, result.probs, step, self.class_names)
        settings = {**self.record.settings, **self.config.to_dict()}
        names = set(hparam_names())
        hparams = {key: value for key, value in settings.items() if key in names and value is not None}
        hparams.update(model=self.record.model_name)
        log.hparams(hparams, HPARAM_METRICS)
        self.final_evaluation = result
        screening = screening_record(result.y_true, result.logits, self.record.task)  # calibration, referral
        self.record = self.record.updated(**screening)
        update_checkpoint_meta(self.best_checkpoint, screening)


def fit(model, train_set, valid_set, meta=None, **settings) -> Dict[str, list]:
    """``Trainer(model, train_set, valid_set, TrainConfig(**settings), meta).fit()`` in one call."""
    return Trainer(model, train_set, valid_set, TrainConfig(**settings), meta=meta).fit()
