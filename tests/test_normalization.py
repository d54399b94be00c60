"""dlcore.normalization: axes, running statistics, gradient checks, input checks and PyTorch's twins."""

import numpy as np
import pytest

from dlcore.gradcheck import layer_errors
from dlcore.normalization import (BatchNormalization, GroupNormalization, InstanceNormalization,
                                  LayerNormalization)

RNG = np.random.default_rng(42)   # not 0: layer_errors draws its upstream gradient from seed 0
IMAGES = RNG.normal(2.0, 3.0, size=(4, 6, 3, 5))
ROWS = RNG.normal(-1.0, 2.0, size=(5, 6))
SEQUENCES = RNG.normal(size=(3, 4, 6))


def affine(channels=6, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(1.0, 0.3, size=channels), rng.normal(0.0, 0.3, size=channels)


LAYERS = {
    "batch-rows": (lambda: BatchNormalization(*affine()), ROWS),
    "batch-images": (lambda: BatchNormalization(*affine()), IMAGES),
    "layer-rows": (lambda: LayerNormalization(*affine()), ROWS),
    "layer-sequences": (lambda: LayerNormalization(*affine()), SEQUENCES),
    "layer-images": (lambda: LayerNormalization(*affine()), IMAGES),
    "group-images": (lambda: GroupNormalization(*affine(), groups=3), IMAGES),
    "instance-images": (lambda: InstanceNormalization(*affine()), IMAGES),
}


@pytest.mark.parametrize("case", LAYERS)
def test_backward_matches_numerical_gradient(case):
    make, x = LAYERS[case]
    errors = layer_errors(make(), x)
    assert max(errors.values()) < 1e-7, errors


def statistics_axes(x, axes):
    return x.mean(axis=axes), x.std(axis=axes)


@pytest.mark.parametrize("case, axes", [
    ("batch-rows", (0,)), ("batch-images", (0, 2, 3)), ("layer-rows", (1,)), ("layer-sequences", (2,)),
    ("layer-images", (1, 2, 3)), ("instance-images", (2, 3)),
])
def test_each_layer_normalizes_over_its_axes(case, axes):
    make, x = LAYERS[case]
    layer = make()
    layer.params = [np.ones(6), np.zeros(6)]
    mean, std = statistics_axes(layer.forward(x), axes)
    np.testing.assert_allclose(mean, 0, atol=1e-9)
    np.testing.assert_allclose(std, 1, atol=1e-3)


def test_groups_of_channels_and_the_two_extremes():
    gamma, beta = np.ones(6), np.zeros(6)
    grouped = GroupNormalization(gamma, beta, groups=3).forward(IMAGES).reshape(4, 3, 2, 3, 5)
    np.testing.assert_allclose(grouped.mean(axis=(2, 3, 4)), 0, atol=1e-9)
    np.testing.assert_allclose(GroupNormalization(gamma, beta, groups=1).forward(IMAGES),
                               LayerNormalization(gamma, beta).forward(IMAGES))
    np.testing.assert_allclose(GroupNormalization(gamma, beta, groups=6).forward(IMAGES),
                               InstanceNormalization(gamma, beta).forward(IMAGES))


def test_running_statistics_follow_momentum_and_serve_inference():
    layer = BatchNormalization(np.ones(3), np.zeros(3), momentum=0.9)
    x = np.array([[1.0, 2.0, 3.0], [3.0, 6.0, 3.0]])
    layer.forward(x, train=True)
    np.testing.assert_allclose(layer.running_mean, 0.1 * np.array([2.0, 4.0, 3.0]))
    np.testing.assert_allclose(layer.running_var, 0.9 + 0.1 * np.array([1.0, 4.0, 0.0]))
    out = layer.forward(np.array([[2.0, 4.0, 3.0]]), train=False)
    expected = (np.array([2.0, 4.0, 3.0]) - layer.running_mean) / np.sqrt(layer.running_var + 1e-5)
    np.testing.assert_allclose(out[0], expected)


def test_inference_backward_treats_the_running_statistics_as_constants():
    layer = BatchNormalization(*affine(), running_mean=np.full(6, 0.5), running_var=np.full(6, 2.0))
    x = ROWS.copy()

    class Inference:                       # the same layer, always at inference
        params, grads = layer.params, layer.grads

        def forward(self, x):
            return layer.forward(x, train=False)

        def backward(self, dout):
            return layer.backward(dout)

    assert max(layer_errors(Inference(), x).values()) < 1e-7


def test_at_inference_a_sample_does_not_depend_on_its_batch():
    layer = BatchNormalization(*affine())
    layer.forward(ROWS, train=True)
    alone = layer.forward(ROWS[:1], train=False)
    together = layer.forward(ROWS, train=False)[:1]
    np.testing.assert_allclose(alone, together)


def test_float32_stays_float32():
    x = IMAGES.astype(np.float32)
    gamma, beta = (p.astype(np.float32) for p in affine())
    for layer in (BatchNormalization(gamma, beta), LayerNormalization(gamma, beta),
                  GroupNormalization(gamma, beta, groups=2)):
        out = layer.forward(x)
        assert out.dtype == np.float32 and layer.backward(np.ones_like(out)).dtype == np.float32


@pytest.mark.parametrize("call, error, message", [
    (lambda: BatchNormalization(np.ones(3), np.zeros(4)), ValueError, "BatchNormalization: gamma and beta must be"),
    (lambda: BatchNormalization(np.ones(6), np.zeros(6)).forward(np.ones((2, 5))), ValueError,
     r"BatchNormalization: gamma and beta have 6 channels but the input has shape \(2, 5\)"),
    (lambda: BatchNormalization(np.ones(6), np.zeros(6)).forward(np.ones((2, 6, 3))), ValueError,
     "BatchNormalization: input must have 2 or 4 dimensions"),
    (lambda: LayerNormalization(np.ones(6), np.zeros(6)).forward(np.ones((0, 6))), ValueError,
     "LayerNormalization: the batch is empty"),
    (lambda: GroupNormalization(np.ones(6), np.zeros(6), groups=4), ValueError,
     "GroupNormalization: groups must divide the 6 channels"),
    (lambda: InstanceNormalization(np.ones(6), np.zeros(6)).backward(np.ones(IMAGES.shape)), RuntimeError,
     "InstanceNormalization.backward: call forward first"),
])
def test_bad_input_is_rejected_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_dout_of_another_shape_is_not_broadcast():
    layer = LayerNormalization(*affine())
    layer.forward(ROWS)
    with pytest.raises(ValueError, match="LayerNormalization.backward: dout must have the shape"):
        layer.backward(np.ones((1, 6)))


TORCH_TWINS = ["batch-rows", "batch-images", "layer-rows", "layer-images", "group-images", "instance-images"]


@pytest.mark.parametrize("case", TORCH_TWINS)
def test_the_same_outputs_and_gradients_as_torch(case):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional: pip install torch==2.13.0)")
    functional = torch.nn.functional
    make, x = LAYERS[case]
    layer = make()
    gamma, beta = (torch.tensor(p, requires_grad=True) for p in layer.params)
    tx = torch.tensor(x, requires_grad=True)
    if case.startswith("batch"):
        ty = functional.batch_norm(tx, None, None, gamma, beta, training=True, eps=1e-5)
    elif case == "layer-rows":
        ty = functional.layer_norm(tx, (6,), gamma, beta, eps=1e-5)
    else:
        groups = {"layer-images": 1, "group-images": 3, "instance-images": 6}[case]
        ty = functional.group_norm(tx, groups, gamma, beta, eps=1e-5)
    dout = np.random.default_rng(3).normal(size=x.shape)
    ty.backward(torch.tensor(dout))
    np.testing.assert_allclose(layer.forward(x), ty.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(layer.backward(dout), tx.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(layer.grads[0], gamma.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(layer.grads[1], beta.grad.numpy(), atol=1e-6)
