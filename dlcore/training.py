"""The training loop (学習ループ): epochs of mini-batch updates with a history."""

import time

import numpy as np

from .data import minibatches
from .layers import _is_real
from .metrics import accuracy
from .recurrent import clip_grads_by_norm


class Trainer:
    """Train ``network`` with ``optimizer`` on mini-batches.

    One epoch (エポック) visits every training sample once in a fresh random
    order; one iteration (イテレーション) is one mini-batch update.  The history
    records, after each epoch, the training loss (the mean over samples of the
    mini-batch losses), the validation and test losses when those sets are given,
    and the metric on each set when ``metric`` is given; ``iteration_loss`` holds
    the loss of every mini-batch in order.  The training loss is measured in
    training mode (with Dropout's dropped units, for example); the metrics and
    the other losses in inference mode.  After early stopping the history still
    ends at ``stopped_epoch``, while the parameters are those of ``best_epoch``.

    Parameters
    ----------
    network : Sequential
    optimizer : object with ``update(params, grads)``
    batch_size : int
    epochs : int
    seed : int
        Seeds the shuffling, so a run repeats exactly.
    metric : callable or None
        ``metric(y, t)`` on predictions, e.g. ``accuracy``; None for regression.
    progress : bool
        Show a progress bar over the epochs.
    iterations : int or None
        Train exactly this many updates instead of ``epochs`` epochs (the last
        epoch may be partial; it is recorded too).
    callback : callable or None
        ``callback(trainer, iteration, loss)`` after every update (iteration from 1).
    trainable : list of layers or None
        Only these layers' parameters are updated (default: every layer).
    patience : int or None
        Early stopping (早期終了): stop when the validation loss has not improved
        for ``patience`` epochs in a row, and restore every parameter (and
        running statistics) in place to the epoch with the lowest validation
        loss, ``best_epoch``.  Needs ``x_val, t_val`` in ``fit`` — never the test set.
    augment : callable or None
        ``augment(x_batch, t_batch, rng) -> (x_batch, t_batch)`` applied to each
        training mini-batch before the update (データ拡張); ``rng`` is a generator
        of its own, seeded from ``seed``, so a run repeats exactly.
    clip_norm : float or None
        Gradient clipping by norm (勾配クリッピング) before every update: when the total L2 norm ‖g‖ of the
        gradients being updated exceeds ``clip_norm``, all of them are scaled by clip_norm / ‖g‖
        (``dlcore.recurrent.clip_grads_by_norm``).  ``history["grad_norm"]`` then records ‖g‖ before
        clipping, one entry per iteration.
    """

    def __init__(self, network, optimizer, batch_size=100, epochs=10, seed=0,
                 metric=accuracy, progress=True, iterations=None, callback=None, trainable=None,
                 patience=None, augment=None, clip_norm=None):
        for name, value in (("epochs", epochs), ("iterations", iterations), ("patience", patience)):
            if value is not None and (int(value) != value or value < 1):
                raise ValueError(f"Trainer: {name} must be a positive integer, got {value!r}")
        if clip_norm is not None and not (_is_real(clip_norm) and clip_norm > 0):
            raise ValueError(f"Trainer: clip_norm must be a number > 0 (or None), got {clip_norm!r}")
        for name, value in (("callback", callback), ("augment", augment)):
            if value is not None and not callable(value):
                raise TypeError(f"Trainer: {name} must be callable, got {type(value).__name__}")
        self.network, self.optimizer = network, optimizer
        self.batch_size, self.epochs, self.iterations = batch_size, epochs, iterations
        self.rng = np.random.default_rng(seed)
        self.metric, self.progress, self.callback = metric, progress, callback
        self.patience, self.augment, self.clip_norm = patience, augment, clip_norm
        self.augment_rng = np.random.default_rng([seed, 1])
        self.best_epoch = self.stopped_epoch = None
        self.chosen = self._trainable(trainable)
        self.params = [network.params[i] for i in self.chosen]
        self.history = {"epoch": [], "loss": [], "test_loss": [], "train_metric": [], "test_metric": [],
                        "val_loss": [], "val_metric": [], "iteration_loss": [], "grad_norm": []}

    def _trainable(self, trainable):
        """Indices into ``network.params`` (and its gradients) of the parameters to update."""
        layers = self.network.layers
        if trainable is None:
            trainable = layers
        unknown = [layer for layer in trainable if not any(layer is known for known in layers)]
        if unknown:
            raise ValueError(f"Trainer: trainable holds layers that are not in the network: {unknown}")
        owners = [layer for layer in layers for _ in layer.params]
        return [i for i, owner in enumerate(owners) if any(owner is layer for layer in trainable)]

    def fit(self, x, t, x_test=None, t_test=None, x_val=None, t_val=None):
        """Train; returns the history (lists, one entry per epoch, and ``iteration_loss``)."""
        if len(x) == 0:
            raise ValueError("Trainer.fit: the training set x is empty")
        if self.patience is not None and x_val is None:
            raise ValueError("Trainer.fit: early stopping (patience) needs validation data x_val, t_val "
                             "split off the training data (the test set must stay unseen)")
        best_loss, best_state, waited = np.inf, None, 0
        per_epoch = -(-len(x) // self.batch_size)
        epochs = self.epochs if self.iterations is None else -(-self.iterations // per_epoch)
        bar = ProgressBar(epochs, "学習", "epoch") if self.progress else None
        iteration = 0
        for epoch in range(1, epochs + 1):
            loss_sum, seen = 0.0, 0
            for x_batch, t_batch in minibatches(x, t, self.batch_size, self.rng):
                iteration += 1
                loss = self.step(x_batch, t_batch, epoch, iteration)
                loss_sum += loss * len(x_batch)
                seen += len(x_batch)
                if self.iterations is not None and iteration == self.iterations:
                    break
            self._record(epoch, loss_sum / seen, x, t, x_test, t_test, x_val, t_val)
            if bar:
                bar.update(epoch, loss=f"{self.history['loss'][-1]:.4f}")
            self.stopped_epoch = epoch
            if self.patience is not None:
                val_loss = self.history["val_loss"][-1]
                if val_loss < best_loss:
                    best_loss, best_state, waited = val_loss, [a.copy() for a in self._state()], 0
                    self.best_epoch = epoch
                else:
                    waited += 1
                    if waited == self.patience:
                        break
        if bar:
            bar.close()
        if best_state is not None:
            for array, saved in zip(self._state(), best_state):
                array[...] = saved
        return self.history

    def _state(self):
        """Every array that training changes: the parameters and any running statistics."""
        return [*self.network.params, *_running_statistics(self.network.layers)]

    def step(self, x_batch, t_batch, epoch, iteration):
        """One update on a mini-batch (augmented first if ``augment`` is set); returns its loss."""
        if self.augment is not None:
            x_batch, t_batch = self.augment(x_batch, t_batch, self.augment_rng)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported below
            loss, grads = self.network.loss_and_gradient(x_batch, t_batch)
        if not np.isfinite(loss):
            raise FloatingPointError(
                f"Trainer: the loss became {loss} in epoch {epoch}, iteration {iteration}; "
                "try a smaller learning rate")
        grads = [grads[i] for i in self.chosen]
        if self.clip_norm is not None:
            self.history["grad_norm"].append(clip_grads_by_norm(grads, self.clip_norm))
        self.optimizer.update(self.params, grads)
        self.history["iteration_loss"].append(float(loss))
        if self.callback is not None:
            self.callback(self, iteration, loss)
        return loss

    def _record(self, epoch, loss, x, t, x_test, t_test, x_val, t_val):
        h = self.history
        h["epoch"].append(epoch)
        h["loss"].append(float(loss))
        if self.metric is not None:
            h["train_metric"].append(self.metric(self.network.predict(x), t))
        for key, x_eval, t_eval in (("test", x_test, t_test), ("val", x_val, t_val)):
            if x_eval is not None:
                with np.errstate(over="ignore", invalid="ignore"):  # a diverging network is reported below
                    scores = self.network.predict(x_eval)     # one forward pass for the loss and the metric
                    loss_eval = float(self.network.loss_layer.forward(scores, t_eval))
                if not np.isfinite(loss_eval):
                    raise FloatingPointError(
                        f"Trainer: the {key} loss became {loss_eval} after epoch {epoch}; "
                        "try a smaller learning rate")
                h[f"{key}_loss"].append(loss_eval)
                if self.metric is not None:
                    h[f"{key}_metric"].append(self.metric(scores, t_eval))


def _running_statistics(layers):
    """The running_* arrays of every layer, inside residual blocks (branch and shortcut) too."""
    found = []
    for layer in layers:
        found += [value for name, value in vars(layer).items()
                  if name.startswith("running_") and isinstance(value, np.ndarray)]
        found += _running_statistics([*getattr(layer, "layers", []), *getattr(layer, "shortcut_layers", [])])
    return found


class ProgressBar:
    """A tqdm progress bar that also reads right in the static book.

    In a Jupyter kernel the bar is one text output updated in place through a
    display id, so the executed notebook (and the HTML book built from it) keeps
    the final state, not a frozen 0 %.  Elsewhere it is tqdm's usual bar on stderr.
    """

    def __init__(self, total, desc, unit):
        from tqdm import tqdm

        self.total, self.desc, self.unit = total, desc, unit
        self.start = time.perf_counter()
        self.handle = None
        self.bar = None
        if _in_kernel():
            from IPython.display import display

            self.handle = display(self._text(0, {}), display_id=True)
        else:
            self.bar = tqdm(total=total, desc=desc, unit=unit)

    def _text(self, n, postfix):
        from IPython.display import Pretty
        from tqdm import tqdm

        elapsed = time.perf_counter() - self.start
        meter = tqdm.format_meter(n, self.total, elapsed, prefix=self.desc, unit=self.unit,
                                  ncols=90, postfix=", ".join(f"{k}={v}" for k, v in postfix.items()))
        return Pretty(meter)

    def update(self, n, **postfix):
        """Show that ``n`` of ``total`` steps are done, with ``postfix`` values."""
        if self.handle is not None:
            self.handle.update(self._text(n, postfix))
        else:
            self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(n - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _in_kernel():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")
