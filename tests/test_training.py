import numpy as np
import pytest

from dlcore import data, metrics, network, optimizers
from dlcore.training import Trainer


def test_mlp_on_digits_reaches_97_percent_with_a_fixed_seed():
    (x, t), (xt, tt) = data.load_digits(seed=0)
    net = network.make_mlp([64, 100, 10], seed=0)
    history = Trainer(net, optimizers.SGD(0.1), batch_size=32, epochs=40, seed=0,
                      progress=False).fit(x, t, xt, tt)
    assert len(history["loss"]) == 40
    assert history["loss"][-1] < history["loss"][0]
    assert history["test_metric"][-1] >= 0.97


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_a_diverging_run_stops_with_a_clear_error():
    x, y = data.make_linear_regression(64)
    net = network.make_mlp([2, 8, 1], output="identity", init="normal", init_scale=1.0)
    with pytest.raises(FloatingPointError, match="smaller learning rate"):
        Trainer(net, optimizers.SGD(1e3), batch_size=16, epochs=50, metric=None,
                progress=False).fit(x, y)


def test_accuracy_counts_every_sample():
    y = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert metrics.accuracy(y, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert metrics.accuracy(y, np.eye(2)[[1, 0, 1]]) == 1.0
    assert metrics.accuracy(np.array([[0.9], [0.2]]), np.array([[1], [1]])) == 0.5
