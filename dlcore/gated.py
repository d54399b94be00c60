"""Gated recurrent layers (ゲート付き RNN): LSTM and GRU, one step and whole sequences.

LSTM, with the four gates fused into one matrix in the order (i, f, g, o) (PyTorch's order):

    a = x Wx + h_{t−1} Wh + b,   Wx (D, 4H), Wh (H, 4H), b (4H,)
    i = σ(a_i + p_i ⊙ c_{t−1}),  f = σ(a_f + p_f ⊙ c_{t−1}),  g = tanh(a_g)        (入力ゲート, 忘却ゲート)
    c_t = f ⊙ c_{t−1} + i ⊙ g                                                      (記憶セル)
    o = σ(a_o + p_o ⊙ c_t),      h_t = o ⊙ tanh(c_t)                                (出力ゲート)

p_i, p_f, p_o are the optional peephole connections (のぞき穴結合), one row each of ``peephole`` (3, H);
without them the three terms are absent.  Since ∂c_t/∂c_{t−1} = f (plus the peephole terms), the
gradient along the cells is scaled by the forget gate only (the CEC): with f near 1 it crosses many steps.
``lstm_layer`` therefore starts the forget-gate bias at 1.

GRU, gates fused in the order (z, r, h̃), Wx (D, 3H), Wh (H, 3H), b (3H,):

    z = σ(x Wx_z + h_{t−1} Wh_z + b_z),  r = σ(x Wx_r + h_{t−1} Wh_r + b_r)          (更新ゲート, リセットゲート)
    h̃ = tanh(x Wx_h + (r ⊙ h_{t−1}) Wh_h + b_h)        reset_after=False (Cho et al., ゼロから作る ❷)
    h̃ = tanh(x Wx_h + r ⊙ (h_{t−1} Wh_h) + b_h)        reset_after=True (the PyTorch / Keras form)
    h_t = (1 − z) ⊙ h_{t−1} + z ⊙ h̃

PyTorch and d2l write the same cell with z and 1 − z swapped (h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃), order
their gates (r, z, n) and add a second bias b_hn inside r ⊙ (h_{t−1} Wh_h + b_hn); here that bias is 0.

The backward formulas are in the step functions below; the time layers use the same ones inside the
loop over time, with x Wx + b and the weight gradients computed for all steps at once (``dlcore.recurrent``).
"""

import functools

import numpy as np

from .layers import _check_dout
from .time_layers import (RecurrentLayer, _batch_major, _check_state, _check_step, _check_weights, _previous,
                          _weight_grads, recurrent_weights)


def _sigmoid_(a):
    """σ(a) in place, as (1 + tanh(a/2)) / 2: the same function, with no overflow for large |a|."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _blocks(a, count):
    size = a.shape[-1] // count
    return [a[..., k * size:(k + 1) * size] for k in range(count)]


@functools.lru_cache(maxsize=None)
def _gate_scale(hidden_size, dtype):
    """s = (½, ½, 1, ½) per block (i, f, g, o) and 1 − s, so that s ⊙ tanh(s ⊙ a) + (1 − s) is σ on the sigmoid
    gates (σ(a) = ½ tanh(a/2) + ½) and tanh on g: all four gates in four NumPy calls (read-only, shared)."""
    scale = np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype), hidden_size)
    shift = 1 - scale
    scale.setflags(write=False)
    shift.setflags(write=False)
    return scale, shift


def _check_peephole(owner, peephole, hidden_size, dtype):
    if peephole is None:
        return None
    peephole = np.asarray(peephole)
    if peephole.shape != (3, hidden_size) or peephole.dtype != dtype:
        raise ValueError(f"{owner}: peephole must be the rows p_i, p_f, p_o, shape (3, {hidden_size}) in {dtype}, "
                         f"got {peephole.dtype} {peephole.shape}")
    return peephole


def _lstm_step(a, c_prev, peephole, c, tanh_c, h):
    """The LSTM equations for one step: a (N, 4H) becomes the gates (i, f, g, o) in place; c_t, tanh(c_t)
    and h_t are written into c, tanh_c and h."""
    i, f, g, o = _blocks(a, 4)
    size = c.shape[1]
    scale, shift = _gate_scale(size, a.dtype)
    active = a                                            # every gate at once: s ⊙ tanh(s ⊙ a) + (1 − s)
    if peephole is not None:
        i += peephole[0] * c_prev
        f += peephole[1] * c_prev
        active, scale, shift = a[:, :3 * size], scale[:3 * size], shift[:3 * size]   # o must wait for c_t
    active *= scale
    np.tanh(active, out=active)
    active *= scale
    active += shift
    np.multiply(f, c_prev, out=c)
    c += i * g
    if peephole is not None:
        o += peephole[2] * c
        _sigmoid_(o)
    np.tanh(c, out=tanh_c)
    np.multiply(o, tanh_c, out=h)


def _lstm_local_derivatives(gates, c_prev, tanh_c):
    """The factors of the backward step that do not depend on the gradient coming back, for every row (and
    step) at once: k_i = g ⊙ i(1 − i), k_f = c_{t−1} ⊙ f(1 − f), k_g = i ⊙ (1 − g²), k_o = tanh(c_t) ⊙ o(1 − o),
    k_c = o ⊙ (1 − tanh²(c_t))."""
    i, f, g, o = _blocks(gates, 4)
    return g * i * (1 - i), c_prev * f * (1 - f), i * (1 - g * g), tanh_c * o * (1 - o), o * (1 - tanh_c * tanh_c)


def _lstm_step_backward(dh, dc, local, f, peephole, da, dc_t):
    """One step back, with ``local`` = (k_i, k_f, k_g, k_o, k_c) of this step: ∂L/∂a (N, 4H) into da and
    ∂L/∂c_t (all of it) into dc_t; returns ∂L/∂c_{t−1}.

    da_o = dh ⊙ tanh(c_t) ⊙ o(1 − o);  ∂L/∂c_t = dc + dh ⊙ o ⊙ (1 − tanh²(c_t)) + da_o ⊙ p_o;
    da_i = ∂L/∂c_t ⊙ g ⊙ i(1 − i),  da_f = ∂L/∂c_t ⊙ c_{t−1} ⊙ f(1 − f),  da_g = ∂L/∂c_t ⊙ i ⊙ (1 − g²);
    ∂L/∂c_{t−1} = ∂L/∂c_t ⊙ f + da_i ⊙ p_i + da_f ⊙ p_f.
    """
    k_i, k_f, k_g, k_o, k_c = local
    da_i, da_f, da_g, da_o = _blocks(da, 4)
    np.multiply(dh, k_o, out=da_o)
    np.multiply(dh, k_c, out=dc_t)
    dc_t += dc
    if peephole is not None:
        dc_t += da_o * peephole[2]
    for d, k in ((da_i, k_i), (da_f, k_f), (da_g, k_g)):
        np.multiply(dc_t, k, out=d)
    dc_prev = dc_t * f
    if peephole is not None:
        dc_prev += da_i * peephole[0] + da_f * peephole[1]
    return dc_prev


def _peephole_grads(dp, da, c_prev, c):
    """∂L/∂p_i = Σ da_i ⊙ c_{t−1}, ∂L/∂p_f = Σ da_f ⊙ c_{t−1}, ∂L/∂p_o = Σ da_o ⊙ c_t over rows (and steps)."""
    da_i, da_f, _, da_o = _blocks(da, 4)
    size = c.shape[-1]
    for k, (d, state) in enumerate(((da_i, c_prev), (da_f, c_prev), (da_o, c))):
        dp[k] = (d * state).reshape(-1, size).sum(axis=0)


class LSTM:
    """One LSTM step (see the module): forward(x, h_prev, c_prev) → (h, c); backward(dh, dc) → (dx, dh_prev, dc_prev).

    ∂L/∂x = da Wxᵀ, ∂L/∂h_prev = da Whᵀ, ∂L/∂Wx = xᵀ da, ∂L/∂Wh = h_prevᵀ da, ∂L/∂b = Σ_n da_n with
    da = ∂L/∂a from ``_lstm_step_backward``.  ``params`` = [Wx, Wh, b] (+ peephole).
    """

    def __init__(self, Wx, Wh, b, peephole=None):
        self.params = _check_weights("LSTM", Wx, Wh, b, 4)
        self.peephole = _check_peephole("LSTM", peephole, self.params[1].shape[0], self.params[0].dtype)
        self.params += [] if self.peephole is None else [self.peephole]
        self.grads = [np.zeros_like(p) for p in self.params]
        self.cache = None

    def forward(self, x, h_prev, c_prev):
        Wx, Wh, b = self.params[:3]
        x, h_prev = _check_step("LSTM", x, h_prev, Wx, Wh)
        c_prev = _check_state("LSTM.forward", "c_prev", c_prev, len(x), Wh.shape[0], Wx.dtype)
        a = x @ Wx + h_prev @ Wh + b
        c, tanh_c, h = (np.empty_like(h_prev) for _ in range(3))
        _lstm_step(a, c_prev, self.peephole, c, tanh_c, h)
        self.cache = (x, h_prev, c_prev, a, c, tanh_c)
        return h, c

    def backward(self, dh, dc):
        shape = None if self.cache is None else self.cache[1].shape
        _check_dout("LSTM", dh, shape)
        _check_dout("LSTM", dc, shape)
        x, h_prev, c_prev, gates, c, tanh_c = self.cache
        da, dc_t = np.empty_like(gates), np.empty_like(c)
        local = _lstm_local_derivatives(gates, c_prev, tanh_c)
        dc_prev = _lstm_step_backward(dh, dc, local, _blocks(gates, 4)[1], self.peephole, da, dc_t)
        _weight_grads(self.grads, x, h_prev, da)
        if self.peephole is not None:
            _peephole_grads(self.grads[3], da, c_prev, c)
        return da @ self.params[0].T, da @ self.params[1].T, dc_prev


class TimeLSTM(RecurrentLayer):
    """T steps of LSTM: hs (N, T, H) from xs (N, T, D); also carries the memory cell c.

    After ``forward``, ``gates`` holds the activations i, f, g, o (each (N, T, H)); after ``backward``,
    ``dh_steps`` and ``dc_steps`` hold ∂L/∂h_t and ∂L/∂c_t (all of it) for every t, ``dh`` and ``dc``
    those of the initial state.  ``set_state(h, c=None)``.
    """

    n_states = 2

    def __init__(self, Wx, Wh, b, stateful=False, peephole=None):
        params = _check_weights("TimeLSTM", Wx, Wh, b, 4)
        self.peephole = _check_peephole("TimeLSTM", peephole, params[1].shape[0], params[0].dtype)
        super().__init__(params, stateful, self.peephole)
        self.gates = self.dc_steps = None

    def forward(self, xs):
        Wx, Wh, b = self.params[:3]
        xs, (h0, c0) = self._start(xs)                                    # time-major (T, N, D)
        steps, n, d = xs.shape
        gates = (xs.reshape(steps * n, d) @ Wx + b).reshape(steps, n, -1)  # x_t Wx + b for every t at once
        hs, cs, tanh_cs = (np.empty((steps, n, self.hidden_size), xs.dtype) for _ in range(3))
        h, c = h0, c0
        for t in range(steps):
            gates[t] += h @ Wh
            _lstm_step(gates[t], c, self.peephole, cs[t], tanh_cs[t], hs[t])
            h, c = hs[t], cs[t]
        self.cache = {"xs": xs, "h0": h0, "c0": c0, "hs": hs, "cs": cs, "tanh_cs": tanh_cs, "gates": gates}
        self.gates = dict(zip("ifgo", _blocks(_batch_major(gates), 4)))
        self._keep([h, c])
        return _batch_major(hs)

    def backward(self, dhs):
        dhs = self._check_dhs(dhs)
        xs, hs, cs, gates = (self.cache[k] for k in ("xs", "hs", "cs", "gates"))
        Wh = self.params[1]
        c_prevs = _previous(self.cache["c0"], cs)
        da, dh_steps, dc_steps = np.empty_like(gates), np.empty_like(hs), np.empty_like(cs)
        # The local derivatives do not depend on the gradient coming back: computed for all steps at once, they
        # leave a few NumPy calls per step in the loop over time.
        local = _lstm_local_derivatives(gates, c_prevs, self.cache["tanh_cs"])
        forget = _blocks(gates, 4)[1]
        Wh_T = np.ascontiguousarray(Wh.T)          # a small product with a transposed view is about 2× slower
        dh = dc = 0
        for t in reversed(range(len(hs))):
            dh_t = np.add(dhs[t], dh, out=dh_steps[t])
            dc = _lstm_step_backward(dh_t, dc, [k[t] for k in local], forget[t], self.peephole, da[t], dc_steps[t])
            dh = da[t] @ Wh_T
        self.dh, self.dc = dh, dc
        self.dh_steps, self.dc_steps = _batch_major(dh_steps), _batch_major(dc_steps)
        _weight_grads(self.grads, xs, _previous(self.cache["h0"], hs), da)
        if self.peephole is not None:
            _peephole_grads(self.grads[3], da, c_prevs, cs)
        return self._input_grad(da, xs)


def _gru_step(a, h_prev, Wh, reset_after, h, m_h):
    """The GRU equations for one step: a = x Wx + b (N, 3H) becomes the gates (z, r, h̃) in place; h_t is
    written into h.  With reset_after, m_h = h_{t−1} Wh_h (which backward needs) is written into m_h."""
    size = h_prev.shape[1]
    z, r, h_tilde = _blocks(a, 3)
    if reset_after:
        m = h_prev @ Wh                                   # one product for all three blocks
        a[:, :2 * size] += m[:, :2 * size]
        _sigmoid_(a[:, :2 * size])
        m_h[...] = m[:, 2 * size:]
        h_tilde += r * m_h
    else:
        a[:, :2 * size] += h_prev @ Wh[:, :2 * size]
        _sigmoid_(a[:, :2 * size])
        h_tilde += (r * h_prev) @ Wh[:, 2 * size:]
    np.tanh(h_tilde, out=h_tilde)
    np.subtract(h_tilde, h_prev, out=h)                   # h_t = h_{t−1} + z ⊙ (h̃ − h_{t−1})
    h *= z
    h += h_prev


def _gru_step_backward(dh, gates, h_prev, Wh_T, reset_after, m_h, da, dm_h):
    """One step back from dh = ∂L/∂h_t, with Wh_T = Whᵀ (3H, H): ∂L/∂a (N, 3H) into da; returns ∂L/∂h_{t−1}.

    da_h̃ = dh ⊙ z ⊙ (1 − h̃²);  da_z = dh ⊙ (h̃ − h_{t−1}) ⊙ z(1 − z);
    ∂L/∂h_{t−1} = dh ⊙ (1 − z) + [da_z, da_r] Wh_zrᵀ
    plus, with reset_after=False: dq = da_h̃ Wh_hᵀ (q = r ⊙ h_{t−1}), ∂L/∂r = dq ⊙ h_{t−1}, + dq ⊙ r;
    with reset_after=True: dm_h = da_h̃ ⊙ r (m_h = h_{t−1} Wh_h, written into dm_h), ∂L/∂r = da_h̃ ⊙ m_h,
    + dm_h Wh_hᵀ.  In both, da_r = ∂L/∂r ⊙ r(1 − r).
    """
    size = h_prev.shape[1]
    z, r, h_tilde = _blocks(gates, 3)
    da_z, da_r, da_h = _blocks(da, 3)
    np.multiply(dh * z, 1 - h_tilde * h_tilde, out=da_h)
    np.multiply(dh * (h_tilde - h_prev), z * (1 - z), out=da_z)
    dh_prev = dh * (1 - z)
    if reset_after:
        np.multiply(da_h, r, out=dm_h)
        dr = da_h * m_h
        dh_prev += dm_h @ Wh_T[2 * size:]
    else:
        dq = da_h @ Wh_T[2 * size:]
        dr = dq * h_prev
        dh_prev += dq * r
    np.multiply(dr, r * (1 - r), out=da_r)
    dh_prev += da[:, :2 * size] @ Wh_T[:2 * size]
    return dh_prev


def _gru_weight_grads(grads, x, h_prev, gates, da, dm_h, reset_after):
    """∂L/∂Wx = Σ xᵀ da, ∂L/∂b = Σ da, ∂L/∂Wh_zr = Σ h_prevᵀ da_zr, and ∂L/∂Wh_h = Σ qᵀ da_h̃ (q = r ⊙ h_prev) or,
    with reset_after, Σ h_prevᵀ dm_h; over every row (and step) at once, into grads."""
    size = h_prev.shape[-1]
    rows = h_prev.reshape(-1, size)
    da2 = da.reshape(-1, da.shape[-1])
    np.matmul(x.reshape(-1, x.shape[-1]).T, da2, out=grads[0])
    grads[1][:, :2 * size] = rows.T @ da2[:, :2 * size]
    if reset_after:
        grads[1][:, 2 * size:] = rows.T @ dm_h.reshape(-1, size)
    else:
        grads[1][:, 2 * size:] = (gates[..., size:2 * size].reshape(-1, size) * rows).T @ da2[:, 2 * size:]
    da2.sum(axis=0, out=grads[2])


class GRU:
    """One GRU step (see the module): forward(x, h_prev) → h; backward(dh) → (dx, dh_prev).

    ∂L/∂x = da Wxᵀ with da = ∂L/∂a from ``_gru_step_backward``; weight gradients in ``_gru_weight_grads``.
    """

    def __init__(self, Wx, Wh, b, reset_after=False):
        self.params = _check_weights("GRU", Wx, Wh, b, 3)
        self.grads = [np.zeros_like(p) for p in self.params]
        self.reset_after = bool(reset_after)
        self.cache = None

    def forward(self, x, h_prev):
        Wx, Wh, b = self.params
        x, h_prev = _check_step("GRU", x, h_prev, Wx, Wh)
        a = x @ Wx + b
        h, m_h = np.empty_like(h_prev), np.empty_like(h_prev)
        _gru_step(a, h_prev, Wh, self.reset_after, h, m_h)
        self.cache = (x, h_prev, a, m_h)
        return h

    def backward(self, dh):
        _check_dout("GRU", dh, None if self.cache is None else self.cache[1].shape)
        x, h_prev, gates, m_h = self.cache
        da, dm_h = np.empty_like(gates), np.empty_like(h_prev)
        dh_prev = _gru_step_backward(dh, gates, h_prev, self.params[1].T, self.reset_after, m_h, da, dm_h)
        _gru_weight_grads(self.grads, x, h_prev, gates, da, dm_h, self.reset_after)
        return da @ self.params[0].T, dh_prev


class TimeGRU(RecurrentLayer):
    """T steps of GRU: hs (N, T, H) from xs (N, T, D).

    After ``forward``, ``gates`` holds z, r and h_tilde (each (N, T, H)); after ``backward``, ``dh_steps``
    holds ∂L/∂h_t for every t and ``dh`` that of the initial state.
    """

    def __init__(self, Wx, Wh, b, stateful=False, reset_after=False):
        super().__init__(_check_weights("TimeGRU", Wx, Wh, b, 3), stateful)
        self.reset_after = bool(reset_after)
        self.gates = None

    def forward(self, xs):
        Wx, Wh, b = self.params
        xs, (h0,) = self._start(xs)                                       # time-major (T, N, D)
        steps, n, d = xs.shape
        gates = (xs.reshape(steps * n, d) @ Wx + b).reshape(steps, n, -1)  # x_t Wx + b for every t at once
        hs, m_hs = (np.empty((steps, n, self.hidden_size), xs.dtype) for _ in range(2))
        h = h0
        for t in range(steps):
            _gru_step(gates[t], h, Wh, self.reset_after, hs[t], m_hs[t])
            h = hs[t]
        self.cache = {"xs": xs, "h0": h0, "hs": hs, "m_hs": m_hs, "gates": gates}
        self.gates = dict(zip(("z", "r", "h_tilde"), _blocks(_batch_major(gates), 3)))
        self._keep([h])
        return _batch_major(hs)

    def backward(self, dhs):
        dhs = self._check_dhs(dhs)
        xs, hs, gates, m_hs = (self.cache[k] for k in ("xs", "hs", "gates", "m_hs"))
        Wh_T = np.ascontiguousarray(self.params[1].T)   # a small product with a transposed view is about 2× slower
        h_prevs = _previous(self.cache["h0"], hs)
        da, dm_hs, dh_steps = np.empty_like(gates), np.empty_like(hs), np.empty_like(hs)
        dh = 0
        for t in reversed(range(len(hs))):
            dh_t = np.add(dhs[t], dh, out=dh_steps[t])
            dh = _gru_step_backward(dh_t, gates[t], h_prevs[t], Wh_T, self.reset_after, m_hs[t], da[t], dm_hs[t])
        self.dh, self.dh_steps = dh, _batch_major(dh_steps)
        _gru_weight_grads(self.grads, xs, h_prevs, gates, da, dm_hs, self.reset_after)
        return self._input_grad(da, xs)


def lstm_layer(input_size, hidden_size, seed=0, dtype=np.float32, *, forget_bias=1.0, peephole=False,
               stateful=False):
    """A TimeLSTM with ``recurrent_weights`` (Wx Xavier, each block of Wh orthogonal, b = 0), the forget-gate
    bias set to ``forget_bias`` and, with ``peephole``, peephole weights starting at 0."""
    Wx, Wh, b = recurrent_weights(input_size, hidden_size, 4, seed, dtype)
    b[hidden_size:2 * hidden_size] = forget_bias
    return TimeLSTM(Wx, Wh, b, stateful=stateful,
                    peephole=np.zeros((3, hidden_size), dtype) if peephole else None)


def gru_layer(input_size, hidden_size, seed=0, dtype=np.float32, *, reset_after=False, stateful=False):
    """A TimeGRU with ``recurrent_weights`` (Wx Xavier, each block of Wh orthogonal, b = 0)."""
    return TimeGRU(*recurrent_weights(input_size, hidden_size, 3, seed, dtype), stateful=stateful,
                   reset_after=reset_after)
