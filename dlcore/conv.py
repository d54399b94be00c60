"""Convolution and pooling (畳み込み層とプーリング層) on (N, C, H, W) feature maps.

Conventions that quiz answers depend on:

- input (N, C, H, W), weights (FN, C / groups, FH, FW), bias (FN,);
- output size OH = (H + 2P − D(FH − 1) − 1) / S + 1 with padding P on each
  side, stride S and dilation D (the textbook (H + 2P − FH) / S + 1 when D = 1).
  A size that does not come out whole raises a ValueError unless the layer is
  built with ``floor=True`` (then the last rows that fit no window are unused,
  as PyTorch does silently);
- a convolution here is a cross-correlation (the kernel is not flipped), as in
  every deep-learning library.

im2col turns every window into one row, so the whole convolution is one
matrix product; col2im adds the rows back where windows overlap.  The layer
uses the same idea with one block of columns per sample (``columns``,
``add_columns``), so that its product comes out in (N, C, H, W) order.  The
windows are a strided *view* of the padded input (no copy until the final
reshape), and the adding back loops over the FH·FW kernel positions only,
never over samples or pixels.
"""

import numpy as np

from .layers import _check_dout


def output_size(size, kernel, stride=1, pad=0, dilation=1, floor=False, owner="output_size"):
    """OH = (H + 2P − D(FH − 1) − 1) / S + 1, checked to be a whole number ≥ 1 (unless ``floor``)."""
    span = dilation * (kernel - 1) + 1
    room = size + 2 * pad - span
    if room < 0:
        raise ValueError(f"{owner}: a window of {span} pixels (kernel {kernel}, dilation {dilation}) does not fit "
                         f"in {size} + 2·{pad} padded pixels")
    if room % stride and not floor:
        raise ValueError(f"{owner}: (H + 2P − D(FH − 1) − 1) / S + 1 = ({size} + 2·{pad} − {span}) / {stride} + 1 "
                         f"is not a whole number; change padding or stride, or pass floor=True to drop the remainder")
    return room // stride + 1


def _check_sizes(owner, **sizes):
    """Each of ``sizes`` (name → (value, smallest allowed)) must be an integer at least that large."""
    for name, (value, low) in sizes.items():
        if isinstance(value, bool) or int(value) != value or value < low:
            raise ValueError(f"{owner}: {name} must be an integer ≥ {low}, got {value!r}")


def _check_maps(owner, x):
    if not isinstance(x, np.ndarray) or x.ndim != 4 or len(x) == 0:
        raise ValueError(f"{owner}: x must be a non-empty batch of feature maps (N, C, H, W), got shape {np.shape(x)}")


def _windows(x_padded, kernel_h, kernel_w, out_h, out_w, stride, dilation):
    """A read-only view (N, C, OH, OW, FH, FW) of every window of the padded input."""
    n, c = x_padded.shape[:2]
    s_n, s_c, s_h, s_w = x_padded.strides
    return np.lib.stride_tricks.as_strided(
        x_padded, shape=(n, c, out_h, out_w, kernel_h, kernel_w),
        strides=(s_n, s_c, stride * s_h, stride * s_w, dilation * s_h, dilation * s_w), writeable=False)


def columns(x, kernel_h, kernel_w, stride=1, pad=0, dilation=1, floor=False):
    """Every window of x as one column, per sample: (N, C·FH·FW, OH·OW), rows in (c, fh, fw) order.

    The layout the Convolution layer uses: W (FN, C·FH·FW) @ columns gives
    (N, FN, OH·OW), already in (N, C, H, W) order, with no transpose.
    """
    _check_maps("columns", x)
    n, c, h, w = x.shape
    out_h = output_size(h, kernel_h, stride, pad, dilation, floor, "columns")
    out_w = output_size(w, kernel_w, stride, pad, dilation, floor, "columns")
    x_padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    windows = _windows(np.ascontiguousarray(x_padded), kernel_h, kernel_w, out_h, out_w, stride, dilation)
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kernel_h * kernel_w, out_h * out_w)


def add_columns(cols, x_shape, kernel_h, kernel_w, stride=1, pad=0, dilation=1, floor=False):
    """The adjoint of ``columns``: each column's values added back at the pixels of its window (overlaps add up)."""
    n, c, h, w = x_shape
    out_h = output_size(h, kernel_h, stride, pad, dilation, floor, "add_columns")
    out_w = output_size(w, kernel_w, stride, pad, dilation, floor, "add_columns")
    cols = cols.reshape(n, c, kernel_h, kernel_w, out_h, out_w)
    padded = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=cols.dtype)
    for i in range(kernel_h):                       # a loop over kernel positions only
        top = i * dilation
        for j in range(kernel_w):
            left = j * dilation
            padded[:, :, top:top + stride * out_h:stride, left:left + stride * out_w:stride] += cols[:, :, i, j]
    return padded[:, :, pad:pad + h, pad:pad + w]


def im2col(x, kernel_h, kernel_w, stride=1, pad=0, dilation=1, floor=False):
    """Every window of x as one row: (N·OH·OW, C·FH·FW), rows in (n, oh, ow) order, columns in (c, fh, fw) order.

    The textbook layout (「ゼロから作る」): the convolution is then one product
    im2col(x) @ W.reshape(FN, −1).T.
    """
    _check_maps("im2col", x)
    cols = columns(x, kernel_h, kernel_w, stride, pad, dilation, floor)
    return cols.transpose(0, 2, 1).reshape(-1, cols.shape[1])


def col2im(col, x_shape, kernel_h, kernel_w, stride=1, pad=0, dilation=1, floor=False):
    """The adjoint of im2col: each row's values added back at the pixels of its window (overlaps add up)."""
    n, c, h, w = x_shape
    rows = n * output_size(h, kernel_h, stride, pad, dilation, floor, "col2im") \
        * output_size(w, kernel_w, stride, pad, dilation, floor, "col2im")
    if np.shape(col) != (rows, c * kernel_h * kernel_w):
        raise ValueError(f"col2im: col must have shape (N·OH·OW, C·FH·FW) = {(rows, c * kernel_h * kernel_w)} for "
                         f"x_shape {tuple(x_shape)}, got {np.shape(col)}")
    cols = col.reshape(n, -1, col.shape[1]).transpose(0, 2, 1)
    return add_columns(cols, x_shape, kernel_h, kernel_w, stride, pad, dilation, floor)


class Convolution:
    """Convolution layer (畳み込み層): out[n, f] = Σ_c W[f, c] ⋆ x[n, c] + b[f].

    ``groups`` G splits the C input channels into G groups, each convolved with
    its own FN / G filters; G = C (with FN = C·k) is the depthwise convolution.
    Weights have shape (FN, C / G, FH, FW).  With the columns of each sample
    X = columns(x) (C·FH·FW, OH·OW) and W as (FN, C·FH·FW) (per group):
    forward W X + b; backward ∂L/∂W = Σ_n dout X ᵀ, ∂L/∂b = Σ dout,
    ∂L/∂x = add_columns(Wᵀ dout).
    """

    def __init__(self, W, b, stride=1, pad=0, dilation=1, groups=1, floor=False):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 4 or W.dtype.kind != "f":
            raise ValueError(f"Convolution: W must be float weights of shape (FN, C / groups, FH, FW), got "
                             f"{W.dtype} {W.shape}")
        if b.shape != (W.shape[0],) or b.dtype != W.dtype:
            raise ValueError(f"Convolution: b must have shape ({W.shape[0]},) and W's dtype {W.dtype}, "
                             f"got {b.dtype} {b.shape}")
        _check_sizes("Convolution", stride=(stride, 1), pad=(pad, 0), dilation=(dilation, 1), groups=(groups, 1))
        if W.shape[0] % groups:
            raise ValueError(f"Convolution: the {W.shape[0]} filters cannot be split into {groups} groups")
        self.W, self.b = W, b
        self.stride, self.pad, self.dilation, self.groups, self.floor = stride, pad, dilation, groups, floor
        self.dW, self.db = np.zeros_like(W), np.zeros_like(b)
        self.params, self.grads = [self.W, self.b], [self.dW, self.db]
        self.x_shape = self.out_shape = self.cols = None

    def forward(self, x):
        name = "Convolution.forward"
        _check_maps(name, x)
        fn, c_group, fh, fw = self.W.shape
        if x.shape[1] != c_group * self.groups:
            raise ValueError(f"{name}: x has {x.shape[1]} channels but W {self.W.shape} with groups={self.groups} "
                             f"expects {c_group * self.groups}")
        n, _, h, w = x.shape
        out_h = output_size(h, fh, self.stride, self.pad, self.dilation, self.floor, name)
        out_w = output_size(w, fw, self.stride, self.pad, self.dilation, self.floor, name)
        self.x_shape, self.out_shape = x.shape, (n, fn, out_h, out_w)
        self.cols = columns(x.astype(self.W.dtype, copy=False), fh, fw, self.stride, self.pad, self.dilation,
                            self.floor)
        out = self._per_group(self.W) @ self._per_group_cols(self.cols)          # (N, G, FN/G, OH·OW)
        out = out.reshape(n, fn, out_h, out_w)
        out += self.b.reshape(1, fn, 1, 1)
        return out

    def _per_group(self, W):
        """W (FN, C/G, FH, FW) as (G, FN/G, C/G·FH·FW)."""
        return W.reshape(self.groups, len(W) // self.groups, -1)

    def _per_group_cols(self, cols):
        """Columns (N, C·FH·FW, L) as (N, G, C/G·FH·FW, L): a group's channels are consecutive rows."""
        return cols.reshape(len(cols), self.groups, -1, cols.shape[-1])

    def backward_params(self, dout):
        """∂L/∂W and ∂L/∂b only (into ``grads``); returns dout per group (N, G, FN/G, L) for ``backward``."""
        _check_dout("Convolution", dout, self.out_shape)
        n, fn = self.out_shape[:2]
        d = dout.reshape(n, self.groups, fn // self.groups, -1)
        self.db[...] = dout.sum(axis=(0, 2, 3))
        per_sample = d @ self._per_group_cols(self.cols).transpose(0, 1, 3, 2)   # (N, G, FN/G, C/G·FH·FW)
        self.dW[...] = per_sample.sum(axis=0).reshape(self.W.shape)
        return d

    def backward(self, dout):
        d = self.backward_params(dout)
        dcols = self._per_group(self.W).transpose(0, 2, 1) @ d                  # (N, G, C/G·FH·FW, L)
        fh, fw = self.W.shape[2:]
        return add_columns(dcols.reshape(self.cols.shape), self.x_shape, fh, fw, self.stride, self.pad,
                           self.dilation, self.floor)


class Pooling:
    """Max or average pooling (プーリング) over pool_h × pool_w windows, per channel; no parameters.

    ``stride`` defaults to the window size (windows side by side).  Max pooling
    pads with −∞ and sends each window's gradient to its largest input (the
    first one on ties); average pooling pads with 0, divides by the window size
    and shares the gradient equally.
    """

    def __init__(self, pool_h, pool_w=None, stride=None, pad=0, mode="max", floor=False):
        if mode not in ("max", "average"):
            raise ValueError(f"Pooling: mode must be 'max' or 'average', got {mode!r}")
        self.pool_h, self.pool_w = pool_h, pool_h if pool_w is None else pool_w
        self.stride = self.pool_h if stride is None else stride
        _check_sizes("Pooling", pool_h=(self.pool_h, 1), pool_w=(self.pool_w, 1), stride=(self.stride, 1), pad=(pad, 0))
        self.pad, self.mode, self.floor = pad, mode, floor
        self.params, self.grads = [], []
        self.x_shape = self.out_shape = self.padded = self.best = None

    def forward(self, x):
        name = "Pooling.forward"
        _check_maps(name, x)
        n, c, h, w = x.shape
        out_h = output_size(h, self.pool_h, self.stride, self.pad, 1, self.floor, name)
        out_w = output_size(w, self.pool_w, self.stride, self.pad, 1, self.floor, name)
        fill = -np.inf if self.mode == "max" else 0
        padded = np.pad(x, ((0, 0), (0, 0), (self.pad,) * 2, (self.pad,) * 2), constant_values=fill) if self.pad else x
        self.x_shape, self.out_shape = x.shape, (n, c, out_h, out_w)
        # One pass per window position (PH·PW of them), each over the whole batch at once.
        positions = self._positions(out_h, out_w)
        if self.mode == "average":
            return sum(padded[..., rows, cols] for rows, cols in positions) / (self.pool_h * self.pool_w)
        best = padded[..., positions[0][0], positions[0][1]].copy()
        for rows, cols in positions[1:]:
            np.maximum(best, padded[..., rows, cols], out=best)
        self.padded, self.best = padded, best                # backward finds each window's maximum again
        return best

    def _positions(self, out_h, out_w):
        """For each position (i, j) inside the window, the rows and columns it reads in every window."""
        s = self.stride
        return [(slice(i, i + s * (out_h - 1) + 1, s), slice(j, j + s * (out_w - 1) + 1, s))
                for i in range(self.pool_h) for j in range(self.pool_w)]

    def backward(self, dout):
        _check_dout("Pooling", dout, self.out_shape)
        n, c, h, w = self.x_shape
        padded = np.zeros((n, c, h + 2 * self.pad, w + 2 * self.pad), dtype=dout.dtype)
        share = dout / (self.pool_h * self.pool_w)
        overlapping = self.stride < max(self.pool_h, self.pool_w)
        taken = np.zeros(dout.shape, bool)                   # windows whose maximum already got the gradient
        for rows, cols in self._positions(*self.out_shape[2:]):
            target = padded[..., rows, cols]                 # a view: writing into it writes into padded
            if self.mode == "max":
                first_max = np.equal(self.padded[..., rows, cols], self.best)
                np.greater(first_max, taken, out=first_max)  # a max that no earlier position took: ties go first
                taken |= first_max
                if not overlapping:
                    np.multiply(dout, first_max, out=target)
                    continue
                share = dout * first_max
            target += share                                  # overlapping windows (stride < window) add up
        return padded[:, :, self.pad:self.pad + h, self.pad:self.pad + w]


class GlobalAveragePooling:
    """Global average pooling (GAP): (N, C, H, W) → (N, C), the mean of each channel; backward spreads dout / (H·W)."""

    def __init__(self):
        self.params, self.grads = [], []
        self.x_shape = None

    def forward(self, x):
        _check_maps("GlobalAveragePooling.forward", x)
        self.x_shape = x.shape
        return x.mean(axis=(2, 3))

    def backward(self, dout):
        _check_dout("GlobalAveragePooling", dout, None if self.x_shape is None else self.x_shape[:2])
        h, w = self.x_shape[2:]
        return np.broadcast_to(dout[:, :, None, None] / (h * w), self.x_shape).copy()


class Flatten:
    """(N, C, H, W) → (N, C·H·W) before a fully connected layer; backward reshapes back."""

    def __init__(self):
        self.params, self.grads = [], []
        self.x_shape = None

    def forward(self, x):
        if not isinstance(x, np.ndarray) or x.ndim < 2 or len(x) == 0:
            raise ValueError(f"Flatten.forward: x must be a non-empty batch (N, ...), got shape {np.shape(x)}")
        self.x_shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, dout):
        _check_dout("Flatten", dout, None if self.x_shape is None else (self.x_shape[0], int(np.prod(self.x_shape[1:]))))
        return dout.reshape(self.x_shape)
