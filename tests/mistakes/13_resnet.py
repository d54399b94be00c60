"""Typical learner mistakes in 13_resnet and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_BLOCK_BACKWARD = '''def residual_block_backward(dout, x, W1, b1, W2, b2):
    u1 = x @ W1 + b1
    h = np.maximum(u1, 0)
    s = x + h @ W2 + b2
    ds = {ds}
    dW2, db2 = h.T @ ds, {db2}
    du1 = {du1}
    dW1, db1 = x.T @ du1, du1.sum(axis=0)
    dx = {dx}
    return dx, dW1, db1, dW2, db2
'''


def block_backward(ds="dout * (s > 0)", db2="ds.sum(axis=0)", du1="(ds @ W2.T) * (u1 > 0)", dx="ds + du1 @ W1.T"):
    """The model answer of residual_block_backward with one piece replaced."""
    return _BLOCK_BACKWARD.format(ds=ds, db2=db2, du1=du1, dx=dx)


_BOTTLENECK = '''def bottleneck_params(c_in, c_mid, c_out, stride=1):
    convs = {convs}
    norms = {norms}
    total = convs + norms
    if {projection}:
        total += {shortcut}
    return {result}
'''


def bottleneck(convs="c_in * c_mid + 3 * 3 * c_mid * c_mid + c_mid * c_out", norms="2 * (c_mid + c_mid + c_out)",
               projection="c_in != c_out or stride != 1", shortcut="c_in * c_out + 2 * c_out", result="int(total)"):
    """The model answer of bottleneck_params with one piece replaced."""
    return _BOTTLENECK.format(convs=convs, norms=norms, projection=projection, shortcut=shortcut, result=result)


_PROJECTION = '''def projection_shortcut_forward(x, W, stride):
    sampled = {sampled}
    return {out}


def projection_shortcut_backward(dout, x, W, stride):
    sampled = {sampled}
    dx = {dx_init}
    dx[:, :, ::stride, ::stride] = {dx_values}
    dW = {dW}
    return dx, dW
'''


def projection(sampled="x[:, :, ::stride, ::stride]", out='np.einsum("nchw,oc->nohw", sampled, W[:, :, 0, 0])',
               dx_init="np.zeros_like(x)", dx_values='np.einsum("nohw,oc->nchw", dout, W[:, :, 0, 0])',
               dW='np.einsum("nohw,nchw->oc", dout, sampled).reshape(W.shape)'):
    """The model answer of the projection shortcut with one piece replaced."""
    return _PROJECTION.format(sampled=sampled, out=out, dx_init=dx_init, dx_values=dx_values, dW=dW)


BLOCK = {"test_residual_block_backward_basic", "test_residual_block_backward_hidden"}
BOTTLENECK = {"test_bottleneck_params_basic", "test_bottleneck_params_hidden"}
PROJECTION = {"test_projection_shortcut_basic", "test_projection_shortcut_hidden"}

MISTAKES = {
    "block_backward_without_the_skip_connection": (
        {"ex_residual_block_backward": block_backward(dx="du1 @ W1.T")},
        BLOCK,
    ),
    "block_backward_skip_gradient_bypasses_the_final_relu": (
        {"ex_residual_block_backward": block_backward(dx="dout + du1 @ W1.T")},
        BLOCK,
    ),
    "block_backward_ignores_the_relu_after_the_addition": (
        {"ex_residual_block_backward": block_backward(ds="dout")},
        BLOCK,
    ),
    "block_backward_without_the_inner_relu_mask": (
        {"ex_residual_block_backward": block_backward(du1="ds @ W2.T")},
        BLOCK,
    ),
    "block_backward_weights_not_transposed": (
        {"ex_residual_block_backward": block_backward(du1="(ds @ W2) * (u1 > 0)")},
        BLOCK,
    ),
    "block_backward_bias_gradient_summed_over_features": (
        {"ex_residual_block_backward": block_backward(db2="ds.sum(axis=1)")},
        BLOCK,
    ),
    "block_backward_bias_gradient_only_for_a_batch_of_one": (
        {"ex_residual_block_backward": block_backward(db2="ds[0]")},
        {"test_residual_block_backward_hidden"},
    ),
    "block_backward_masks_dout_in_place": (
        {"ex_residual_block_backward": block_backward(ds="dout")
         .replace("    ds = dout\n", "    ds = dout\n    ds[s <= 0] = 0\n")},
        {"test_residual_block_backward_hidden"},
    ),
    "block_backward_upcasts_float32": (
        {"ex_residual_block_backward": block_backward(ds="(dout * (s > 0)).astype(np.float64)",
                                                      du1="((ds @ W2.T) * (u1 > 0)).astype(np.float64)")},
        {"test_residual_block_backward_hidden"},
    ),
    "block_backward_through_dlcore": (
        {"ex_residual_block_backward": "from dlcore import layers, network\n\n"
                                       "def residual_block_backward(dout, x, W1, b1, W2, b2):\n"
                                       "    fc1, fc2 = layers.Affine(W1, b1), layers.Affine(W2, b2)\n"
                                       "    block = network.Residual([fc1, layers.Relu(), fc2])\n"
                                       "    relu = layers.Relu()\n"
                                       "    relu.forward(block.forward(x))\n"
                                       "    dx = block.backward(relu.backward(dout))\n"
                                       "    return dx, fc1.grads[0], fc1.grads[1], fc2.grads[0], fc2.grads[1]\n"},
        BLOCK,
    ),
    "bottleneck_without_batch_normalization": (
        {"ex_bottleneck_params": bottleneck(norms="0", shortcut="c_in * c_out")},
        BOTTLENECK,
    ),
    "bottleneck_counts_the_running_statistics": (
        {"ex_bottleneck_params": bottleneck(norms="4 * (c_mid + c_mid + c_out)", shortcut="c_in * c_out + 4 * c_out")},
        BOTTLENECK,
    ),
    "bottleneck_three_by_three_counted_as_three": (
        {"ex_bottleneck_params": bottleneck(convs="c_in * c_mid + 3 * c_mid * c_mid + c_mid * c_out")},
        BOTTLENECK,
    ),
    "bottleneck_convolutions_with_biases": (
        {"ex_bottleneck_params": bottleneck(convs="c_in * c_mid + c_mid + 9 * c_mid * c_mid + c_mid + c_mid * c_out + c_out")},
        BOTTLENECK,
    ),
    "bottleneck_never_a_projection": (
        {"ex_bottleneck_params": bottleneck(projection="False")},
        BOTTLENECK,
    ),
    "bottleneck_always_a_projection": (
        {"ex_bottleneck_params": bottleneck(projection="True")},
        BOTTLENECK,
    ),
    "bottleneck_projection_only_when_the_channels_change": (
        {"ex_bottleneck_params": bottleneck(projection="c_in != c_out")},
        {"test_bottleneck_params_hidden"},
    ),
    "bottleneck_projection_without_its_batch_normalization": (
        {"ex_bottleneck_params": bottleneck(shortcut="c_in * c_out")},
        BOTTLENECK,
    ),
    "bottleneck_returns_a_float": (
        {"ex_bottleneck_params": bottleneck(result="total / 1")},
        {"test_bottleneck_params_hidden"},
    ),
    "bottleneck_through_dlcore": (
        {"ex_bottleneck_params": "import numpy as np\nfrom dlcore import conv, normalization\n\n"
                                 "def bottleneck_params(c_in, c_mid, c_out, stride=1):\n"
                                 "    shapes = [(c_mid, c_in, 1, 1), (c_mid, c_mid, 3, 3), (c_out, c_mid, 1, 1)]\n"
                                 "    if c_in != c_out or stride != 1:\n"
                                 "        shapes.append((c_out, c_in, 1, 1))\n"
                                 "    total = 0\n"
                                 "    for shape in shapes:\n"
                                 "        layer = conv.Convolution(np.zeros(shape), np.zeros(shape[0]))\n"
                                 "        bn = normalization.BatchNormalization(np.ones(shape[0]), np.zeros(shape[0]))\n"
                                 "        total += layer.W.size + sum(p.size for p in bn.params)\n"
                                 "    return int(total)\n"},
        BOTTLENECK,
    ),
    "projection_starts_at_the_second_pixel": (
        {"ex_projection_shortcut": projection(sampled="x[:, :, 1::stride, 1::stride]")
         .replace("dx[:, :, ::stride, ::stride]", "dx[:, :, 1::stride, 1::stride]")},
        PROJECTION,
    ),
    "projection_drops_the_last_row_of_an_odd_size": (
        {"ex_projection_shortcut": projection(sampled="x[:, :, :x.shape[2] // stride * stride:stride, "
                                                      ":x.shape[3] // stride * stride:stride]")
         .replace("dx[:, :, ::stride, ::stride]", "dx[:, :, :x.shape[2] // stride * stride:stride, "
                                                 ":x.shape[3] // stride * stride:stride]")},
        PROJECTION,
    ),
    "projection_weights_read_the_wrong_way_round": (
        {"ex_projection_shortcut": projection(
            out='np.einsum("nchw,co->nohw", sampled, W[:, :, 0, 0].reshape(W.shape[1], W.shape[0]))')},
        PROJECTION,
    ),
    "projection_gradient_spread_over_the_whole_window": (
        {"ex_projection_shortcut": projection()
         .replace("    dx[:, :, ::stride, ::stride] = ",
                  "    dx[...] = np.repeat(np.repeat(")
         .replace('np.einsum("nohw,oc->nchw", dout, W[:, :, 0, 0])\n    dW',
                  'np.einsum("nohw,oc->nchw", dout, W[:, :, 0, 0]), stride, axis=2), stride, axis=3)'
                  '[:, :, :x.shape[2], :x.shape[3]]\n    dW')},
        PROJECTION,
    ),
    "projection_weight_gradient_of_the_first_sample_only": (
        {"ex_projection_shortcut": projection(dW='np.einsum("ohw,chw->oc", dout[0], sampled[0]).reshape(W.shape)')},
        {"test_projection_shortcut_hidden"},
    ),
    "projection_dx_in_float64": (
        {"ex_projection_shortcut": projection(dx_init="np.zeros(x.shape)")},
        {"test_projection_shortcut_hidden"},
    ),
    "projection_through_dlcore": (
        {"ex_projection_shortcut": "import numpy as np\nfrom dlcore import conv\n\n"
                                   "def projection_shortcut_forward(x, W, stride):\n"
                                   "    return conv.Convolution(W, np.zeros(len(W), dtype=W.dtype), stride=stride, floor=True).forward(x)\n\n\n"
                                   "def projection_shortcut_backward(dout, x, W, stride):\n"
                                   "    layer = conv.Convolution(W, np.zeros(len(W), dtype=W.dtype), stride=stride, floor=True)\n"
                                   "    layer.forward(x)\n"
                                   "    return layer.backward(dout), layer.dW\n"},
        PROJECTION,
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 512 * 128 * 2 + 3 * 128 * 128\n",   # the 3×3 kernel counted as 3 weights per pair
         "q2": "answer_q2 = 0.05 ** 20\n",                        # the plain chain's derivative, without the identity
         "q3": "answer_q3 = 2 ** 6\n",                            # every path instead of those through exactly 3
         "q4": "answer_q4 = 3\n"},                                # all-zero branches never start learning
        {"test_q1", "test_q2", "test_q3", "test_q4"},
    ),
}
