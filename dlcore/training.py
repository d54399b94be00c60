"""The training loop (学習ループ): epochs of mini-batch updates with a history."""

import time

import numpy as np

from .data import minibatches
from .metrics import accuracy


class Trainer:
    """Train ``network`` with ``optimizer`` on mini-batches.

    One epoch (エポック) visits every training sample once in a fresh random
    order.  After each epoch the history records the training loss (the mean
    over samples of the mini-batch losses) and, when ``metric`` is given, the
    metric on the training and test sets.

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
        Show a tqdm progress bar over the epochs.
    """

    def __init__(self, network, optimizer, batch_size=100, epochs=10, seed=0,
                 metric=accuracy, progress=True):
        self.network, self.optimizer = network, optimizer
        self.batch_size, self.epochs = batch_size, epochs
        self.rng = np.random.default_rng(seed)
        self.metric, self.progress = metric, progress
        self.history = {"epoch": [], "loss": [], "train_metric": [], "test_metric": []}

    def fit(self, x, t, x_test=None, t_test=None):
        """Run ``epochs`` epochs; returns the history (lists, one entry per epoch)."""
        bar = ProgressBar(self.epochs, "学習", "epoch") if self.progress else None
        for epoch in range(1, self.epochs + 1):
            loss_sum = 0.0
            for i, (x_batch, t_batch) in enumerate(minibatches(x, t, self.batch_size, self.rng)):
                with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported below
                    loss, grads = self.network.loss_and_gradient(x_batch, t_batch)
                if not np.isfinite(loss):
                    raise FloatingPointError(
                        f"Trainer: the loss became {loss} in epoch {epoch}, iteration {i}; "
                        "try a smaller learning rate")
                self.optimizer.update(self.network.params, grads)
                loss_sum += loss * len(x_batch)
            self._record(epoch, loss_sum / len(x), x, t, x_test, t_test)
            if bar:
                bar.update(epoch, loss=f"{self.history['loss'][-1]:.4f}")
        if bar:
            bar.close()
        return self.history

    def _record(self, epoch, loss, x, t, x_test, t_test):
        h = self.history
        h["epoch"].append(epoch)
        h["loss"].append(float(loss))
        if self.metric is not None:
            h["train_metric"].append(self.metric(self.network.predict(x), t))
            if x_test is not None:
                h["test_metric"].append(self.metric(self.network.predict(x_test), t_test))


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
