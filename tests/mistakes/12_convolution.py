"""Typical learner mistakes in 12_convolution and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_CONV = '''def conv_forward_direct(x, W, b, stride=1, pad=0, dilation=1):
    n, c, h, w = x.shape
    fn, _, fh, fw = W.shape
    sizes = []
    for size, k in ((h, fh), (w, fw)):
        room = size + 2 * pad - dilation * (k - 1) - 1
        {check}
        sizes.append(room // stride + 1)
    oh, ow = sizes
    xp = {xp}
    out = np.zeros((n, fn, oh, ow), dtype={dtype})
    for p in range(fh):
        for q in {inner}:
            top, left = {offsets}
            patch = {patch}
            out += {term}
    return {result}
'''


def conv(check="if room < 0 or room % stride:\n            raise ValueError('出力サイズが整数になりません')",
         xp="np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))", dtype="np.result_type(x, W)",
         inner="range(fw)", offsets="p * dilation, q * dilation",
         patch="xp[:, :, top:top + stride * (oh - 1) + 1:stride, left:left + stride * (ow - 1) + 1:stride]",
         term='np.einsum("nchw,fc->nfhw", patch, W[:, :, p, q])', result="out + b.reshape(1, fn, 1, 1)"):
    """The model answer of conv_forward_direct with one piece replaced."""
    return _CONV.format(check=check, xp=xp, dtype=dtype, inner=inner, offsets=offsets, patch=patch, term=term,
                        result=result)


_POOL = '''def max_pool_backward(dout, x, pool, stride):
    oh, ow = dout.shape[2:]

    def window(p, q):
        return (slice(None), slice(None), slice(p, p + stride * (oh - 1) + 1, stride),
                slice(q, q + stride * (ow - 1) + 1, stride))

    largest = np.max([x[window(p, q)] for p in range(pool) for q in range(pool)], axis=0)
    dx = np.zeros(x.shape, dtype={dtype})
    taken = np.zeros(dout.shape, dtype=bool)
    for p in {order}:
        for q in {order}:
            first = {first}
            {add}
            taken |= first
    return dx
'''


def pool(dtype="dout.dtype", order="range(pool)", first="(x[window(p, q)] == largest) & ~taken",
         add="dx[window(p, q)] += np.where(first, dout, 0)"):
    """The model answer of max_pool_backward with one piece replaced."""
    return _POOL.format(dtype=dtype, order=order, first=first, add=add)


_COL2IM = '''def col2im(col, x_shape, FH, FW, stride=1, pad=0):
    n, c, h, w = x_shape
    oh = (h + 2 * pad - FH) // stride + 1
    ow = (w + 2 * pad - FW) // stride + 1
    windows = {windows}
    padded = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype={dtype})
    for p in range(FH):
        for q in range(FW):
            padded[:, :, p:p + stride * (oh - 1) + 1:stride, q:q + stride * (ow - 1) + 1:stride] {op} \\
                {values}
    return {result}
'''


def col2im(windows="col.reshape(n, oh, ow, c, FH, FW)", dtype="col.dtype", op="+=",
           values="windows[:, :, :, :, p, q].transpose(0, 3, 1, 2)", result="padded[:, :, pad:pad + h, pad:pad + w]"):
    """The model answer of col2im with one piece replaced."""
    return _COL2IM.format(windows=windows, dtype=dtype, op=op, values=values, result=result)


CONV = {"test_conv_forward_direct_basic", "test_conv_forward_direct_hidden"}
POOL = {"test_max_pool_backward_basic", "test_max_pool_backward_hidden"}
COL = {"test_col2im_basic", "test_col2im_hidden"}

MISTAKES = {
    "conv_flips_the_kernel_like_the_mathematical_convolution": (
        {"ex_conv_forward_direct": conv(term='np.einsum("nchw,fc->nfhw", patch, W[:, :, fh - 1 - p, fw - 1 - q])')},
        CONV,
    ),
    "conv_ignores_dilation_in_the_kernel_offsets": (
        {"ex_conv_forward_direct": conv(offsets="p, q")},
        {"test_conv_forward_direct_hidden"},
    ),
    "conv_forgets_to_pad": (
        {"ex_conv_forward_direct": conv(xp="x")},
        CONV,
    ),
    "conv_steps_by_one_ignoring_the_stride": (
        {"ex_conv_forward_direct": conv(patch="xp[:, :, top:top + oh, left:left + ow]")},
        {"test_conv_forward_direct_hidden"},
    ),
    "conv_uses_only_the_first_channel": (
        {"ex_conv_forward_direct": conv(term="patch[:, :1] * W[:, 0, p, q].reshape(1, fn, 1, 1)")},
        CONV,
    ),
    "conv_adds_the_bias_on_the_last_axis": (
        {"ex_conv_forward_direct": conv(result="out + b")},
        CONV,
    ),
    "conv_upcasts_float32": (
        {"ex_conv_forward_direct": conv(dtype="np.float64")},
        {"test_conv_forward_direct_hidden"},
    ),
    "conv_floors_silently_like_pytorch": (
        {"ex_conv_forward_direct": conv(check="room = max(room, 0)")},
        {"test_conv_forward_direct_hidden"},
    ),
    "conv_assumes_a_square_kernel": (
        {"ex_conv_forward_direct": conv(inner="range(fh)")},
        {"test_conv_forward_direct_hidden"},
    ),
    "conv_through_dlcore": (
        {"ex_conv_forward_direct": "from dlcore import conv\n\n"
                                   "def conv_forward_direct(x, W, b, stride=1, pad=0, dilation=1):\n"
                                   "    return conv.Convolution(W, b, stride, pad, dilation).forward(x)\n"},
        CONV,
    ),
    "pool_spreads_the_gradient_like_average_pooling": (
        {"ex_max_pool_backward": pool(first="np.ones(dout.shape, dtype=bool)",
                                      add="dx[window(p, q)] += dout / pool ** 2")},
        POOL,
    ),
    "pool_overwrites_where_windows_overlap": (
        {"ex_max_pool_backward": pool(add="dx[window(p, q)] = np.where(first, dout, 0)")},
        {"test_max_pool_backward_hidden"},
    ),
    "pool_sends_the_gradient_to_every_tied_maximum": (
        {"ex_max_pool_backward": pool(first="x[window(p, q)] == largest")},
        {"test_max_pool_backward_hidden"},
    ),
    "pool_sends_the_gradient_to_the_last_tied_maximum": (
        {"ex_max_pool_backward": pool(order="reversed(range(pool))")},
        {"test_max_pool_backward_hidden"},
    ),
    "pool_gradient_in_the_dtype_of_x": (
        {"ex_max_pool_backward": pool(dtype="np.float64")},
        {"test_max_pool_backward_hidden"},
    ),
    "pool_through_dlcore": (
        {"ex_max_pool_backward": "from dlcore.conv import Pooling\n\n"
                                 "def max_pool_backward(dout, x, pool, stride):\n"
                                 "    layer = Pooling(pool, stride=stride)\n"
                                 "    layer.forward(x)\n"
                                 "    return layer.backward(dout)\n"},
        POOL,
    ),
    "col2im_overwrites_where_windows_overlap": (
        {"ex_col2im": col2im(op="=")},
        COL,
    ),
    "col2im_keeps_the_padding": (
        {"ex_col2im": col2im(result="padded")},
        {"test_col2im_hidden"},
    ),
    "col2im_reads_the_columns_channel_last": (
        {"ex_col2im": col2im(windows="col.reshape(n, oh, ow, FH, FW, c).transpose(0, 1, 2, 5, 3, 4)")},
        {"test_col2im_hidden"},
    ),
    "col2im_reads_the_rows_column_major": (
        {"ex_col2im": col2im(windows="col.reshape(n, ow, oh, c, FH, FW).transpose(0, 2, 1, 3, 4, 5)")},
        COL,
    ),
    "col2im_upcasts_float32": (
        {"ex_col2im": col2im(dtype="np.float64")},
        {"test_col2im_hidden"},
    ),
    "col2im_through_dlcore": (
        {"ex_col2im": "from dlcore import conv\n\n"
                      "def col2im(col, x_shape, FH, FW, stride=1, pad=0):\n"
                      "    return conv.col2im(col, x_shape, FH, FW, stride, pad)\n"},
        COL,
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 21\n",                 # the dilation forgotten: (41 + 2 − 3) / 2 + 1
         "q2": "answer_q2 = 5808\n",               # the biases left out
         "q3": "answer_q3 = (512, 9)\n",           # the input channels forgotten in the columns
         "q4": "answer_q4 = 1\n",                  # a 1-D signal is what a convolution suits
         "q5": "answer_q5 = 8\n"},                 # the dilation of the last layer ignored
        {"test_q1", "test_q2", "test_q3", "test_q4", "test_q5"},
    ),
}
