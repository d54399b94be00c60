"""The training loop (学習ループ): epochs of mini-batch updates with a history."""

import numpy as np

from .data import minibatches
from .metrics import accuracy


class Trainer:
    """Train ``network`` with ``optimizer`` on mini-batches.

    One epoch (エポック) visits every training sample once in a fresh random
    order.  After each epoch the history records the mean training loss and,
    when ``metric`` is given, the metric on the training and test sets.

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
        from tqdm.auto import tqdm

        bar = tqdm(range(1, self.epochs + 1), desc="学習", unit="epoch", disable=not self.progress)
        for epoch in bar:
            losses = []
            for i, (x_batch, t_batch) in enumerate(minibatches(x, t, self.batch_size, self.rng)):
                loss, grads = self.network.loss_and_gradient(x_batch, t_batch)
                if not np.isfinite(loss):
                    raise FloatingPointError(
                        f"Trainer: the loss became {loss} in epoch {epoch}, iteration {i}; "
                        "try a smaller learning rate")
                self.optimizer.update(self.network.params, grads)
                losses.append(loss)
            self._record(epoch, float(np.mean(losses)), x, t, x_test, t_test)
            bar.set_postfix(loss=f"{self.history['loss'][-1]:.4f}")
        return self.history

    def _record(self, epoch, loss, x, t, x_test, t_test):
        h = self.history
        h["epoch"].append(epoch)
        h["loss"].append(loss)
        if self.metric is not None:
            h["train_metric"].append(self.metric(self.network.predict(x), t))
            if x_test is not None:
                h["test_metric"].append(self.metric(self.network.predict(x_test), t_test))
