import numpy as np
import pytest

from dlcore import network, recurrent
from dlcore.gradcheck import relative_error

RNG = np.random.default_rng(1)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("output, t", [
    ("softmax", RNG.integers(0, 3, size=5)),
    ("identity", RNG.standard_normal((5, 3))),
    ("sigmoid", (RNG.random((5, 3)) > 0.5).astype(float)),
])
def test_backprop_agrees_with_numerical_gradient(activation, output, t):
    net = network.make_mlp([4, 6, 5, 3], activation=activation, output=output, init="xavier",
                           seed=2, dtype=np.float64)
    for p in net.params[1::2]:  # non-zero biases, so that every path is exercised
        p[...] = RNG.standard_normal(p.shape) * 0.1
    x = RNG.standard_normal((5, 4))
    backprop = [g.copy() for g in net.gradient(x, t)]
    numeric = net.numerical_gradient(x, t)
    for i, (a, n) in enumerate(zip(backprop, numeric)):
        assert relative_error(a, n) < 1e-7, f"parameter {i}"


def test_numerical_gradient_refuses_float32():
    net = network.make_mlp([2, 3, 2])
    with pytest.raises(TypeError, match="float64"):
        net.numerical_gradient(np.zeros((1, 2), np.float32), np.array([0]))


def test_make_mlp_builds_affine_and_activation_layers():
    net = network.make_mlp([64, 100, 50, 10], activation="tanh")
    names = [type(layer).__name__ for layer in net.layers]
    assert names == ["Affine", "Tanh", "Affine", "Tanh", "Affine"]
    assert [p.shape for p in net.params] == [(64, 100), (100,), (100, 50), (50,), (50, 10), (10,)]
    assert all(p.dtype == np.float32 for p in net.params)


def test_make_mlp_rejects_unknown_choices():
    with pytest.raises(ValueError, match="activation must be one of"):
        network.make_mlp([2, 2], activation="relu6")
    with pytest.raises(ValueError, match="input and an output"):
        network.make_mlp([2])


def test_params_and_grads_are_the_layers_own_arrays():
    net = network.make_mlp([3, 4, 2])
    assert net.params[0] is net.layers[0].params[0]
    assert net.grads[0] is net.layers[0].grads[0]


def test_make_mlp_with_batch_norm_and_dropout_trains_and_predicts_deterministically():
    from dlcore import data, layers, normalization, optimizers
    from dlcore.training import Trainer

    net = network.make_mlp([64, 50, 50, 10], batch_norm=True, dropout_ratio=0.2)
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Affine", "BatchNormalization", "Relu", "Dropout"] * 2 + ["Affine"]
    (x, t), (xt, tt) = data.load_digits(seed=0)
    history = Trainer(net, optimizers.SGD(0.1), batch_size=50, epochs=5, progress=False).fit(x, t, xt, tt)
    assert history["test_metric"][-1] > 0.9
    np.testing.assert_array_equal(net.predict(xt), net.predict(xt))   # inference: no dropout, running statistics
    assert isinstance(net.layers[1], normalization.BatchNormalization) and isinstance(net.layers[3], layers.Dropout)


def test_make_mlp_with_noise_injection_is_noisy_in_training_only():
    from dlcore import layers

    net = network.make_mlp([4, 6, 6, 3], dropout_ratio=0.1, noise_std=0.2)
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Affine", "Relu", "Dropout", "GaussianNoise"] * 2 + ["Affine"]
    x = np.ones((5, 4), np.float32)
    np.testing.assert_array_equal(net.predict(x), net.predict(x))
    assert not np.array_equal(net.predict(x, train=True), net.predict(x, train=True))
    assert isinstance(net.layers[3], layers.GaussianNoise) and net.layers[3].stddev == 0.2


def test_a_residual_block_adds_its_input_and_its_gradient_checks():
    from dlcore import conv, layers, normalization
    from dlcore.gradcheck import layer_errors

    rng = np.random.default_rng(0)
    branch = [conv.Convolution(rng.standard_normal((3, 3, 3, 3)) * 0.3, np.zeros(3), pad=1), layers.Relu(),
              conv.Convolution(rng.standard_normal((3, 3, 3, 3)) * 0.3, np.zeros(3), pad=1)]
    block = network.Residual(branch)
    x = rng.standard_normal((2, 3, 5, 5))
    branch_only = branch[2].forward(branch[1].forward(branch[0].forward(x)))
    np.testing.assert_allclose(block.forward(x), branch_only + x)
    errors = layer_errors(network.Residual(branch), x)
    assert max(errors.values()) < 1e-7, errors
    projected = network.Residual([conv.Convolution(rng.standard_normal((4, 3, 3, 3)), np.zeros(4), pad=1)],
                                 shortcut=conv.Convolution(rng.standard_normal((4, 3, 1, 1)), np.zeros(4)))
    assert len(projected.params) == 4
    errors = layer_errors(projected, x)
    assert max(errors.values()) < 1e-7, errors
    with pytest.raises(ValueError, match=r"Residual: the branch gives shape \(2, 4, 5, 5\) but the shortcut"):
        network.Residual(projected.layers).forward(x)
    normed = network.Residual([normalization.BatchNormalization(np.ones(3), np.zeros(3))])
    assert not np.allclose(normed.forward(x, train=True), normed.forward(x, train=False))
    shortcut_bn = normalization.BatchNormalization(np.ones(4), np.zeros(4))
    block = network.Residual([conv.Convolution(rng.standard_normal((4, 3, 3, 3)), np.zeros(4), pad=1)],
                             shortcut=[conv.Convolution(rng.standard_normal((4, 3, 1, 1)), np.zeros(4)), shortcut_bn])
    block.forward(x, train=True)
    assert not np.allclose(shortcut_bn.running_mean, 0)      # the shortcut's BN saw training mode
    errors = layer_errors(block, x)
    assert max(errors.values()) < 1e-7, errors


def test_a_small_cnn_trains_on_digits():
    from dlcore import conv, data, initializers, layers, optimizers
    from dlcore.training import Trainer

    rng = np.random.default_rng(0)
    (x, t), (xt, tt) = data.load_digits(seed=0)
    x, xt = x.reshape(-1, 1, 8, 8), xt.reshape(-1, 1, 8, 8)
    W1 = initializers.initial_weights((16, 1, 3, 3), rng, "he").astype(np.float32)
    W2 = initializers.initial_weights((16 * 4 * 4, 10), rng, "he").astype(np.float32)
    net = network.Sequential([conv.Convolution(W1, np.zeros(16, np.float32), pad=1), layers.Relu(), conv.Pooling(2),
                              conv.Flatten(), layers.Affine(W2, np.zeros(10, np.float32))], layers.SoftmaxWithLoss())
    history = Trainer(net, optimizers.Adam(0.01), batch_size=50, epochs=10, progress=False).fit(x, t, xt, tt)
    assert history["test_metric"][-1] > 0.96


@pytest.mark.parametrize("make_layers, x, t", [
    (lambda: [recurrent.Embedding(RNG.standard_normal((6, 3))),
              recurrent.lstm_layer(3, 4, seed=1, dtype=np.float64),
              recurrent.time_affine_layer(4, 6, seed=2, dtype=np.float64)],
     RNG.integers(0, 6, (2, 5)), RNG.integers(0, 6, (2, 5))),
    (lambda: [recurrent.gru_layer(2, 4, seed=1, dtype=np.float64), recurrent.LastTimeStep(),
              network.layers.Affine(RNG.standard_normal((4, 1)), np.zeros(1))],
     RNG.standard_normal((3, 6, 2)), RNG.standard_normal((3, 1))),
])
def test_sequential_runs_recurrent_layers_on_integer_and_float_sequences(make_layers, x, t):
    loss_layer = recurrent.TimeSoftmaxWithLoss() if x.dtype.kind == "i" else network.layers.IdentityWithLoss()
    net = network.Sequential(make_layers(), loss_layer)
    for p in net.params:
        p += 0.1 * RNG.standard_normal(p.shape)     # biases away from 0, so that every path is exercised
    backprop = [g.copy() for g in net.gradient(x, t)]
    for i, (a, n) in enumerate(zip(backprop, net.numerical_gradient(x, t))):
        assert relative_error(a, n) < 1e-7, f"parameter {i}"
