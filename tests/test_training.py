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


@pytest.mark.filterwarnings("error")
def test_a_diverging_run_stops_with_a_clear_error_and_no_warnings():
    x, y = data.make_linear_regression(64)
    net = network.make_mlp([2, 8, 1], output="identity", init="normal", init_scale=1.0)
    with pytest.raises(FloatingPointError, match="smaller learning rate"):
        Trainer(net, optimizers.SGD(1e3), batch_size=16, epochs=50, metric=None,
                progress=False).fit(x, y)


@pytest.mark.filterwarnings("error")
def test_a_network_that_diverges_on_the_evaluation_data_stops_with_a_clear_error_and_no_warnings():
    x, y = data.make_linear_regression(64)
    net = network.make_mlp([2, 8, 1], output="identity", init="normal", init_scale=1.0)
    huge = np.full_like(x, 1e30)                      # the training batches stay finite; these overflow
    with pytest.raises(FloatingPointError, match="test loss became"):
        Trainer(net, optimizers.SGD(1e-3), batch_size=16, epochs=2, metric=None,
                progress=False).fit(x, y, huge, y)


def test_accuracy_counts_every_sample():
    y = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert metrics.accuracy(y, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert metrics.accuracy(y, np.eye(2)[[1, 0, 1]]) == 1.0
    assert metrics.accuracy(np.array([[0.9], [0.2]]), np.array([[1], [1]])) == 0.5


def test_loss_history_weights_each_batch_by_its_size():
    x = np.zeros((5, 1), np.float32)
    t = np.zeros((5, 1), np.float32)
    net = network.make_mlp([1, 1], output="identity")
    net.params[1][...] = 1.0  # every prediction is 1, so every sample's loss is ½
    history = Trainer(net, optimizers.SGD(1e-12), batch_size=2, epochs=1, metric=None,
                      progress=False).fit(x, t)
    assert history["loss"] == [pytest.approx(0.5)]


def test_progress_bar_outside_a_kernel_goes_to_stderr(capsys):
    x, y = data.make_linear_regression(20)
    Trainer(network.make_mlp([2, 1], output="identity"), optimizers.SGD(0.1), batch_size=5, epochs=2,
            metric=None, progress=True).fit(x, y)
    assert "2/2" in capsys.readouterr().err


def test_progress_bar_in_a_notebook_keeps_its_final_state():
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(
        "from dlcore import data, network, optimizers\n"
        "from dlcore.training import Trainer\n"
        "x, y = data.make_linear_regression(20)\n"
        "_ = Trainer(network.make_mlp([2, 1], output='identity'), optimizers.SGD(0.1), batch_size=5,\n"
        "            epochs=3, metric=None).fit(x, y)"))
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=60).execute()
    (output,) = nb.cells[0].outputs
    assert "3/3" in output["data"]["text/plain"] and "100%" in output["data"]["text/plain"]


def small_run(**kwargs):
    x, y = data.make_linear_regression(40)
    net = network.make_mlp([2, 4, 1], output="identity", seed=1)
    trainer = Trainer(net, optimizers.SGD(0.05), batch_size=16, metric=None, progress=False, **kwargs)
    return net, trainer, trainer.fit(x[:30], y[:30], x[30:], y[30:])


def test_iterations_train_exactly_that_many_updates_and_record_the_partial_epoch():
    calls = []
    _, trainer, history = small_run(iterations=5, callback=lambda tr, i, loss: calls.append((i, loss)))
    assert [i for i, _ in calls] == [1, 2, 3, 4, 5]          # 30 samples, batch 16: 2 updates per epoch
    assert history["epoch"] == [1, 2, 3] and trainer.optimizer.t == 5
    assert history["iteration_loss"] == [pytest.approx(loss) for _, loss in calls]
    assert len(history["test_loss"]) == 3 and history["test_loss"][-1] < history["test_loss"][0]


def test_only_the_trainable_layers_move():
    net = network.make_mlp([2, 4, 1], output="identity", seed=1)
    first, last = net.layers[0], net.layers[-1]
    before = [p.copy() for p in net.params]
    x, y = data.make_linear_regression(20)
    Trainer(net, optimizers.Momentum(0.05), batch_size=10, epochs=2, metric=None, progress=False,
            trainable=[last]).fit(x, y)
    assert all(np.array_equal(p, b) for p, b in zip(first.params, before[:2]))
    assert not np.array_equal(last.params[0], before[2])
    with pytest.raises(ValueError, match="not in the network"):
        Trainer(net, optimizers.SGD(0.1), trainable=[network.layers.Relu()])


class RecordsTrainFlag:
    """An identity layer that remembers the flag it was given."""

    def __init__(self):
        self.params, self.grads, self.seen = [], [], []

    def forward(self, x, train):
        self.seen.append(train)
        return x

    def backward(self, dout):
        return dout


def test_layers_that_take_train_get_true_in_training_and_false_in_prediction():
    flag = RecordsTrainFlag()
    net = network.Sequential([network.layers.Affine(np.ones((2, 1)), np.zeros(1)), flag],
                             network.layers.IdentityWithLoss())
    x, y = data.make_linear_regression(8)
    Trainer(net, optimizers.SGD(0.01), batch_size=8, epochs=1, metric=None, progress=False).fit(x, y, x, y)
    assert flag.seen == [True, False]   # one update, then the test loss


def overfitting_run(patience):
    """A wide network on 100 digits: the validation loss turns up after a few epochs."""
    (x, t), _ = data.load_digits(seed=0)
    (x_train, t_train), (x_val, t_val) = data.train_validation_split(x[:300], t[:300], validation_ratio=0.3, seed=0)
    net = network.make_mlp([64, 200, 10], seed=0)
    trainer = Trainer(net, optimizers.Adam(0.01), batch_size=20, epochs=60, seed=0, progress=False,
                      patience=patience)
    history = trainer.fit(x_train, t_train, x_val=x_val, t_val=t_val)
    return trainer, history, net, (x_val, t_val)


def test_early_stopping_stops_after_patience_epochs_and_restores_the_best_parameters():
    trainer, history, net, (x_val, t_val) = overfitting_run(patience=3)
    best = int(np.argmin(history["val_loss"])) + 1
    assert trainer.best_epoch == best
    assert trainer.stopped_epoch == best + 3 == len(history["epoch"]) < 60
    assert net.loss(x_val, t_val) == pytest.approx(history["val_loss"][best - 1], rel=1e-5)
    assert len(history["val_metric"]) == len(history["epoch"]) and history["test_loss"] == []


def test_early_stopping_needs_validation_data_not_the_test_set():
    (x, t), _ = data.load_digits(seed=0)
    trainer = Trainer(network.make_mlp([64, 10]), optimizers.SGD(0.1), epochs=2, progress=False, patience=2)
    with pytest.raises(ValueError, match="early stopping .* needs validation data x_val"):
        trainer.fit(x, t, x, t)
    with pytest.raises(ValueError, match="Trainer: patience must be a positive integer"):
        Trainer(network.make_mlp([64, 10]), optimizers.SGD(0.1), patience=0)


def test_early_stopping_restores_running_statistics_too():
    (x, t), _ = data.load_digits(seed=0)
    (x_train, t_train), (x_val, t_val) = data.train_validation_split(x[:300], t[:300], validation_ratio=0.3, seed=0)
    net = network.make_mlp([64, 200, 10], seed=0, batch_norm=True)
    trainer = Trainer(net, optimizers.Adam(0.01), batch_size=20, epochs=60, seed=0, progress=False, patience=3)
    history = trainer.fit(x_train, t_train, x_val=x_val, t_val=t_val)
    assert trainer.stopped_epoch > trainer.best_epoch
    assert net.loss(x_val, t_val) == pytest.approx(history["val_loss"][trainer.best_epoch - 1], rel=1e-5)


def test_augment_changes_every_training_batch_reproducibly():
    seen = []

    def augment(x_batch, t_batch, rng):
        seen.append(len(x_batch))
        return x_batch + rng.normal(0, 0.1, x_batch.shape).astype(x_batch.dtype), t_batch

    (x, t), _ = data.load_digits(seed=0)
    runs = []
    for _ in range(2):
        net = network.make_mlp([64, 10], seed=0)
        Trainer(net, optimizers.SGD(0.1), batch_size=50, epochs=2, seed=0, progress=False,
                augment=augment).fit(x[:120], t[:120])
        runs.append(net.params[0].copy())
    assert seen == [50, 50, 20] * 4
    np.testing.assert_array_equal(*runs)
    plain = network.make_mlp([64, 10], seed=0)
    Trainer(plain, optimizers.SGD(0.1), batch_size=50, epochs=2, seed=0, progress=False).fit(x[:120], t[:120])
    assert not np.allclose(plain.params[0], runs[0])
    with pytest.raises(TypeError, match="Trainer: augment must be callable"):
        Trainer(plain, optimizers.SGD(0.1), augment="shift")


def test_clip_norm_scales_every_update_to_the_limit_and_records_the_norm_before_clipping():
    x, y = data.make_linear_regression(32)
    net = network.make_mlp([2, 8, 1], output="identity", init="normal", init_scale=3.0, seed=0)
    before = [p.copy() for p in net.params]
    trainer = Trainer(net, optimizers.SGD(1.0), batch_size=32, iterations=1, metric=None, progress=False,
                      clip_norm=0.01)
    history = trainer.fit(x, y)
    assert len(history["grad_norm"]) == 1 and history["grad_norm"][0] > 0.01
    step = np.sqrt(sum(np.sum((p - b) ** 2) for p, b in zip(net.params, before)))
    assert step == pytest.approx(0.01, rel=1e-4)                 # SGD with ε = 1 moves by the clipped gradient
    assert small_run()[2]["grad_norm"] == []
    for bad in (0, -1.0, True, "1"):
        with pytest.raises(ValueError, match="Trainer: clip_norm must be a number > 0"):
            Trainer(net, optimizers.SGD(0.1), clip_norm=bad)


def test_trainer_fits_a_recurrent_network_on_the_adding_problem_with_clip_norm_set():
    from dlcore import recurrent, sequences

    x, t = sequences.adding_problem(256, 10, seed=0)
    net = network.Sequential([recurrent.lstm_layer(2, 16, seed=0), recurrent.LastTimeStep(),
                              network.layers.Affine(np.zeros((16, 1), np.float32), np.ones(1, np.float32))],
                             network.layers.IdentityWithLoss())
    history = Trainer(net, optimizers.Adam(0.01), batch_size=32, epochs=10, metric=None, progress=False,
                      clip_norm=1.0).fit(x, t)
    assert len(history["grad_norm"]) == 80
    assert history["loss"][-1] < 0.1 * history["loss"][0]          # measured 0.081 → 0.0032
