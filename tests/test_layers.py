import numpy as np
import pytest

from dlcore import layers
from dlcore.gradcheck import layer_errors

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 3))


def affine():
    return layers.Affine(RNG.standard_normal((3, 5)), RNG.standard_normal(5))


@pytest.mark.parametrize("make", [affine, layers.Relu, layers.Sigmoid, layers.Tanh],
                         ids=["Affine", "Relu", "Sigmoid", "Tanh"])
def test_backward_matches_numerical_gradient(make):
    errors = layer_errors(make(), X)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("layer, t", [
    (layers.SoftmaxWithLoss(), np.array([0, 2, 1, 2])),
    (layers.SoftmaxWithLoss(), np.eye(3)[[1, 0, 0, 2]]),
    (layers.IdentityWithLoss(), RNG.standard_normal((4, 3))),
    (layers.SigmoidWithLoss(), (RNG.random((4, 3)) > 0.5).astype(float)),
], ids=["SoftmaxWithLoss-labels", "SoftmaxWithLoss-one-hot", "IdentityWithLoss", "SigmoidWithLoss"])
def test_loss_layer_backward_matches_numerical_gradient(layer, t):
    errors = layer_errors(layer, X, t)
    assert errors["dx"] < 1e-7, errors


@pytest.mark.parametrize("make", [affine, layers.Relu, layers.Sigmoid, layers.Tanh])
def test_backward_does_not_modify_dout(make):
    layer = make()
    out = layer.forward(X)
    dout = RNG.standard_normal(out.shape)
    before = dout.copy()
    layer.backward(dout)
    np.testing.assert_array_equal(dout, before)


def test_float32_stays_float32():
    x = X.astype(np.float32)
    layer = layers.Affine(np.ones((3, 2), np.float32), np.zeros(2, np.float32))
    for each in (layer, layers.Relu(), layers.Sigmoid(), layers.Tanh()):
        out = each.forward(x)
        assert out.dtype == np.float32
        assert each.backward(np.ones_like(out)).dtype == np.float32


def test_affine_names_itself_and_both_shapes_on_a_mismatch():
    with pytest.raises(ValueError, match=r"Affine.*\(N, 3\).*\(4, 7\)"):
        affine().forward(np.zeros((4, 7)))
    with pytest.raises(ValueError, match="Affine"):
        layers.Affine(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(TypeError, match="Relu.*int64"):
        layers.Relu().forward(np.zeros((2, 2), dtype=np.int64))


def test_loss_layers_reject_mismatched_targets():
    with pytest.raises(ValueError, match=r"IdentityWithLoss.*\(4, 1\).*\(4, 3\)"):
        layers.IdentityWithLoss().forward(X, np.zeros((4, 1)))
    with pytest.raises(ValueError, match="SoftmaxWithLoss: 4 outputs but 3 targets"):
        layers.SoftmaxWithLoss().forward(X, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"SoftmaxWithLoss: labels d must lie in 0\.\.2"):
        layers.SoftmaxWithLoss().forward(X, np.array([0, 1, 2, 3]))


def test_softmax_with_loss_keeps_float32_for_one_hot_integer_targets():
    layer = layers.SoftmaxWithLoss()
    layer.forward(X.astype(np.float32), np.eye(3, dtype=np.int64)[[0, 1, 2, 0]])
    assert layer.backward().dtype == np.float32


def test_softmax_with_loss_value_matches_the_formula():
    t = np.array([0, 2, 1, 2])
    e = np.exp(X - X.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(y[np.arange(4), t] + 1e-7))
    assert layers.SoftmaxWithLoss().forward(X, t) == pytest.approx(expected)


# --- what each layer rejects (DESIGN.md, "Errors"): one test per category ------------------------

LAYERS = {"Affine": affine, "Relu": layers.Relu, "Sigmoid": layers.Sigmoid, "Tanh": layers.Tanh}


@pytest.mark.parametrize("name", LAYERS)
def test_a_dout_of_the_wrong_shape_is_not_broadcast(name):
    layer = LAYERS[name]()
    out = layer.forward(X)
    with pytest.raises(ValueError, match=rf"{name}.backward: dout must have the shape of the forward output "
                                         rf"\({out.shape[0]}, {out.shape[1]}\), got \(1, {out.shape[1]}\)"):
        layer.backward(np.ones((1, out.shape[1])))


@pytest.mark.parametrize("name", LAYERS)
def test_backward_before_forward_says_so(name):
    with pytest.raises(RuntimeError, match=f"{name}.backward: call forward first"):
        LAYERS[name]().backward(np.ones((4, 3)))


@pytest.mark.parametrize("name", LAYERS)
def test_an_empty_batch_is_rejected(name):
    with pytest.raises(ValueError, match=f"{name}: the batch is empty"):
        LAYERS[name]().forward(np.zeros((0, 3)))


def test_integer_parameters_are_rejected():
    with pytest.raises(TypeError, match="Affine: W and b must be float arrays"):
        layers.Affine(np.ones((3, 2), dtype=int), np.zeros(2))


def test_a_target_row_that_is_not_a_distribution_is_rejected():
    with pytest.raises(ValueError, match="SoftmaxWithLoss: every target row must be a probability distribution"):
        layers.SoftmaxWithLoss().forward(X, np.array([[1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]], float))
    soft = np.full((4, 3), 1 / 3)
    assert layers.SoftmaxWithLoss().forward(X, soft) > 0          # soft labels summing to 1 are fine


def test_a_binary_target_outside_0_1_is_rejected():
    with pytest.raises(ValueError, match=r"SigmoidWithLoss: targets t must lie in \[0, 1\].*from -1\.0 to 1\.0"):
        layers.SigmoidWithLoss().forward(X, np.array([[1, 0, -1]] * 4, float))


def test_a_loss_layer_takes_a_scalar_dout_only():
    layer = layers.IdentityWithLoss()
    with pytest.raises(RuntimeError, match="IdentityWithLoss.backward: call forward first"):
        layer.backward()
    layer.forward(X, X + 1)
    with pytest.raises(ValueError, match="IdentityWithLoss.backward: dout is the upstream gradient"):
        layer.backward(np.ones((4, 3)))


def test_dropout_is_inverted_in_training_and_the_identity_at_inference():
    layer = layers.Dropout(dropout_ratio=0.2, seed=0)
    x = np.ones((1000, 50), np.float32)
    out = layer.forward(x, train=True)
    assert out.dtype == np.float32
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.8)}
    assert np.mean(out == 0) == pytest.approx(0.2, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.01)               # the expected output equals the input
    dout = RNG.standard_normal(x.shape).astype(np.float32)
    np.testing.assert_array_equal(layer.backward(dout), dout * (out / x))   # the same mask and scale
    np.testing.assert_array_equal(layer.forward(x, train=False), x)
    np.testing.assert_array_equal(layer.backward(dout), dout)


def test_dropout_rejects_a_keep_probability_and_repeats_with_a_seed():
    with pytest.raises(ValueError, match=r"Dropout: dropout_ratio is the probability of dropping a unit, in \[0, 1\)"):
        layers.Dropout(1.0)
    a = layers.Dropout(0.5, seed=3).forward(X)
    np.testing.assert_array_equal(a, layers.Dropout(0.5, seed=3).forward(X))
    with pytest.raises(RuntimeError, match="Dropout.backward: call forward first"):
        layers.Dropout().backward(X)


def test_gaussian_noise_adds_noise_in_training_only_and_passes_the_gradient():
    layer = layers.GaussianNoise(0.3, seed=0)
    x = np.ones((2000, 50), np.float32)
    out = layer.forward(x, train=True)
    assert out.dtype == np.float32
    assert (out - x).mean() == pytest.approx(0.0, abs=0.01)
    assert (out - x).std() == pytest.approx(0.3, rel=0.01)
    dout = RNG.standard_normal(x.shape).astype(np.float32)
    np.testing.assert_array_equal(layer.backward(dout), dout)      # the noise does not depend on x: ∂out/∂x = 1
    np.testing.assert_array_equal(layer.forward(x, train=False), x)
    np.testing.assert_array_equal(layers.GaussianNoise(0.5, seed=4).forward(X), layers.GaussianNoise(0.5, seed=4).forward(X))
    with pytest.raises(ValueError, match="GaussianNoise: stddev must be a number ≥ 0"):
        layers.GaussianNoise(-0.1)
    with pytest.raises(RuntimeError, match="GaussianNoise.backward: call forward first"):
        layers.GaussianNoise(0.1).backward(X)


def test_softmax_with_loss_takes_soft_targets():
    soft = np.array([[0.7, 0.3, 0.0], [0.2, 0.2, 0.6], [0.0, 0.0, 1.0], [0.5, 0.25, 0.25]])
    layer = layers.SoftmaxWithLoss()
    loss = layer.forward(X, soft)
    log_y = X - np.log(np.exp(X).sum(axis=1, keepdims=True))
    assert loss == pytest.approx(-(soft * log_y).sum() / 4)
    errors = layer_errors(layers.SoftmaxWithLoss(), X, soft)
    assert errors["dx"] < 1e-7, errors
