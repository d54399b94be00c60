"""dlcore.conv: every layer against a direct nested-loop implementation, gradient checks, PyTorch's twins."""

import itertools

import numpy as np
import pytest

from dlcore import conv
from dlcore.gradcheck import layer_errors

RNG = np.random.default_rng(0)


def direct_convolution(x, W, b, stride, pad, dilation, groups):
    """The definition, one output pixel at a time (slow; for checking only)."""
    n, c, h, w = x.shape
    fn, c_group, fh, fw = W.shape
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out_h = (h + 2 * pad - dilation * (fh - 1) - 1) // stride + 1
    out_w = (w + 2 * pad - dilation * (fw - 1) - 1) // stride + 1
    out = np.zeros((n, fn, out_h, out_w))
    per_group = fn // groups
    for s, f, i, j in itertools.product(range(n), range(fn), range(out_h), range(out_w)):
        g = f // per_group
        patch = x[s, g * c_group:(g + 1) * c_group,
                  i * stride:i * stride + dilation * (fh - 1) + 1:dilation,
                  j * stride:j * stride + dilation * (fw - 1) + 1:dilation]
        out[s, f, i, j] = np.sum(patch * W[f]) + b[f]
    return out


def direct_pooling(x, size, stride, pad, mode):
    n, c, h, w = x.shape
    fill = -np.inf if mode == "max" else 0.0
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=fill)
    out_h, out_w = (h + 2 * pad - size) // stride + 1, (w + 2 * pad - size) // stride + 1
    out = np.zeros((n, c, out_h, out_w))
    for s, ch, i, j in itertools.product(range(n), range(c), range(out_h), range(out_w)):
        window = x[s, ch, i * stride:i * stride + size, j * stride:j * stride + size]
        out[s, ch, i, j] = window.max() if mode == "max" else window.mean()
    return out


# (stride, pad, dilation, groups) on a 2 × 4 × 7 × 7 input with 3 × 3 kernels (floor where 7 does not divide)
CONV_CASES = [(s, p, d, g) for s in (1, 2) for p in (0, 1) for d in (1, 2) for g in (1, 2, 4)]


def make_convolution(stride, pad, dilation, groups, c=4, fn=4, k=3):
    W = RNG.standard_normal((fn, c // groups, k, k))
    return conv.Convolution(W, RNG.standard_normal(fn), stride, pad, dilation, groups, floor=True)


@pytest.mark.parametrize("stride, pad, dilation, groups", CONV_CASES)
def test_convolution_forward_equals_the_definition(stride, pad, dilation, groups):
    layer = make_convolution(stride, pad, dilation, groups)
    x = RNG.standard_normal((2, 4, 7, 7))
    np.testing.assert_allclose(layer.forward(x), direct_convolution(x, layer.W, layer.b, stride, pad, dilation, groups),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride, pad, dilation, groups", CONV_CASES)
def test_convolution_backward_matches_numerical_gradient(stride, pad, dilation, groups):
    errors = layer_errors(make_convolution(stride, pad, dilation, groups), RNG.standard_normal((2, 4, 7, 7)))
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("stride, pad, mode", [(s, p, m) for s in (1, 2) for p in (0, 1) for m in ("max", "average")])
def test_pooling_equals_the_definition_and_its_backward_checks(stride, pad, mode):
    layer = conv.Pooling(3, stride=stride, pad=pad, mode=mode, floor=True)
    x = RNG.standard_normal((2, 3, 7, 7))
    np.testing.assert_allclose(layer.forward(x), direct_pooling(x, 3, stride, pad, mode), rtol=1e-12)
    errors = layer_errors(conv.Pooling(3, stride=stride, pad=pad, mode=mode, floor=True), x)
    assert max(errors.values()) < 1e-7, errors


def test_max_pooling_sends_the_gradient_to_each_window_maximum():
    x = np.array([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0], [0.0, 0.0, 1.0, 2.0], [7.0, 0.0, 3.0, 1.0]]]])
    layer = conv.Pooling(2)
    np.testing.assert_array_equal(layer.forward(x), [[[[5.0, 8.0], [7.0, 3.0]]]])
    dx = layer.backward(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(dx[0, 0], [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0]])
    ties = conv.Pooling(2)
    ties.forward(np.zeros((1, 1, 2, 4)))                      # every input is a maximum: the first one takes it
    np.testing.assert_array_equal(ties.backward(np.array([[[[2.0, 3.0]]]]))[0, 0], [[2, 0, 3, 0], [0, 0, 0, 0]])


@pytest.mark.parametrize("make, shape", [(conv.GlobalAveragePooling, (2, 3, 4, 5)), (conv.Flatten, (2, 3, 4, 5))])
def test_gap_and_flatten(make, shape):
    x = RNG.standard_normal(shape)
    out = make().forward(x)
    expected = x.mean(axis=(2, 3)) if make is conv.GlobalAveragePooling else x.reshape(2, -1)
    np.testing.assert_allclose(out, expected)
    errors = layer_errors(make(), x)
    assert max(errors.values()) < 1e-7, errors


def test_im2col_and_col2im_are_adjoint():
    """⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩: col2im adds each value back where windows overlap."""
    x = RNG.standard_normal((2, 3, 6, 6))
    col = conv.im2col(x, 3, 3, stride=1, pad=1)
    assert col.shape == (2 * 6 * 6, 3 * 3 * 3)
    y = RNG.standard_normal(col.shape)
    assert np.sum(col * y) == pytest.approx(np.sum(x * conv.col2im(y, x.shape, 3, 3, stride=1, pad=1)))
    counts = conv.col2im(np.ones((16, 9)), (1, 1, 6, 6), 3, 3, stride=1)    # how many windows cover each pixel
    np.testing.assert_array_equal(counts[0, 0, :3, :3], [[1, 2, 3], [2, 4, 6], [3, 6, 9]])


def test_float32_stays_float32():
    layer = conv.Convolution(RNG.standard_normal((4, 2, 3, 3)).astype(np.float32), np.zeros(4, np.float32), pad=1)
    out = layer.forward(RNG.standard_normal((2, 2, 5, 5)).astype(np.float32))
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32 and layer.dW.dtype == np.float32


@pytest.mark.parametrize("call, message", [
    (lambda: conv.Convolution(np.ones((4, 2, 3, 3)), np.zeros(4), stride=2).forward(np.ones((1, 2, 6, 6))),
     r"Convolution.forward: \(H \+ 2P − D\(FH − 1\) − 1\) / S \+ 1 = \(6 \+ 2·0 − 3\) / 2 \+ 1 is not a whole number"),
    (lambda: conv.Convolution(np.ones((4, 2, 3, 3)), np.zeros(4)).forward(np.ones((1, 3, 6, 6))),
     r"Convolution.forward: x has 3 channels but W \(4, 2, 3, 3\) with groups=1 expects 2"),
    (lambda: conv.Convolution(np.ones((4, 2, 3, 3)), np.zeros(4)).forward(np.ones((2, 36))),
     r"Convolution.forward: x must be a non-empty batch of feature maps \(N, C, H, W\)"),
    (lambda: conv.Convolution(np.ones((4, 2, 5, 5)), np.zeros(4)).forward(np.ones((1, 2, 3, 3))),
     "Convolution.forward: a window of 5 pixels .* does not fit"),
    (lambda: conv.Convolution(np.ones((3, 2, 3, 3)), np.zeros(3), groups=2), "cannot be split into 2 groups"),
    (lambda: conv.Convolution(np.ones((4, 2, 3, 3)), np.zeros(3)), r"Convolution: b must have shape \(4,\)"),
    (lambda: conv.Pooling(2, mode="min"), "Pooling: mode must be 'max' or 'average'"),
    (lambda: conv.Pooling(0), "Pooling: pool_h must be an integer ≥ 1, got 0"),
    (lambda: conv.Pooling(2, stride=0), "Pooling: stride must be an integer ≥ 1, got 0"),
    (lambda: conv.im2col(np.ones((2, 8, 8)), 3, 3), r"im2col: x must be a non-empty batch of feature maps"),
    (lambda: conv.col2im(np.ones((36, 9)), (1, 1, 8, 8), 3, 3, 1, 1),
     r"col2im: col must have shape \(N·OH·OW, C·FH·FW\) = \(64, 9\) for x_shape \(1, 1, 8, 8\), got \(36, 9\)"),
    (lambda: conv.Pooling(2).forward(np.ones((1, 1, 5, 5))), "Pooling.forward: .* is not a whole number"),
    (lambda: conv.Convolution(np.ones((4, 2, 3, 3)), np.zeros(4)).backward(np.ones((1, 4, 1, 1))),
     "Convolution.backward: call forward first"),
])
def test_bad_input_is_rejected_by_name(call, message):
    with pytest.raises((ValueError, RuntimeError), match=message):
        call()


# --- PyTorch's twins (optional) ---------------------------------------------------------------

@pytest.mark.parametrize("stride, pad, dilation, groups", [(1, 1, 1, 1), (2, 0, 1, 2), (1, 2, 2, 4), (2, 1, 2, 1)])
def test_convolution_equals_torch_conv2d_forward_and_backward(stride, pad, dilation, groups):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional: pip install torch==2.13.0)")
    layer = make_convolution(stride, pad, dilation, groups)
    x = RNG.standard_normal((2, 4, 7, 7))
    out = layer.forward(x)
    dout = RNG.standard_normal(out.shape)
    dx = layer.backward(dout)
    tx, tW, tb = (torch.tensor(a, requires_grad=True) for a in (x, layer.W, layer.b))
    t_out = torch.nn.functional.conv2d(tx, tW, tb, stride=stride, padding=pad, dilation=dilation, groups=groups)
    t_out.backward(torch.tensor(dout))
    for ours, theirs in ((out, t_out), (dx, tx.grad), (layer.dW, tW.grad), (layer.db, tb.grad)):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("size, stride, pad", [(3, 2, 1), (2, 2, 0)])
@pytest.mark.parametrize("mode", ["max", "average"])
def test_pooling_equals_torch_pool2d(mode, size, stride, pad):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional: pip install torch==2.13.0)")
    x = RNG.standard_normal((2, 3, 8, 8))
    layer = conv.Pooling(size, stride=stride, pad=pad, mode=mode, floor=True)
    out = layer.forward(x)
    dout = RNG.standard_normal(out.shape)
    dx = layer.backward(dout)
    tx = torch.tensor(x, requires_grad=True)
    pool = torch.nn.functional.max_pool2d if mode == "max" else torch.nn.functional.avg_pool2d
    t_out = pool(tx, size, stride=stride, padding=pad)
    t_out.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-12, atol=1e-12)
