"""dlcore.recurrent (with dlcore.gated, dlcore.time_layers): gradient checks through time, states, errors, twins."""

import numpy as np
import pytest

from dlcore import layers, recurrent
from dlcore.gradcheck import layer_errors, parameter_gradient, relative_error

RNG = np.random.default_rng(0)
N, T, D, H = 3, 5, 4, 3
TORCH_REASON = "PyTorch is not installed (optional: pip install torch==2.13.0)"


def weights(gates, d=D, h=H, scale=0.5):
    """Random float64 (Wx, Wh, b) for ``gates`` fused gates."""
    return [scale * RNG.standard_normal(shape) for shape in ((d, gates * h), (h, gates * h), (gates * h,))]


TIME_LAYERS = {
    "rnn": lambda stateful=False: recurrent.TimeRNN(*weights(1), stateful=stateful),
    "lstm": lambda stateful=False: recurrent.TimeLSTM(*weights(4), stateful=stateful),
    "lstm-peephole": lambda stateful=False: recurrent.TimeLSTM(*weights(4), stateful=stateful,
                                                               peephole=RNG.standard_normal((3, H))),
    "gru": lambda stateful=False: recurrent.TimeGRU(*weights(3), stateful=stateful),
    "gru-reset-after": lambda stateful=False: recurrent.TimeGRU(*weights(3), stateful=stateful, reset_after=True),
}


def sequences(n=N, steps=T, d=D):
    return RNG.standard_normal((n, steps, d))


def numerical_gradients(scalar, arrays):
    return [parameter_gradient(scalar, a) for a in arrays]


# --- gradient checks through time -----------------------------------------------------------------

@pytest.mark.parametrize("kind", TIME_LAYERS)
def test_time_layer_backward_matches_numerical_gradient(kind):
    errors = layer_errors(TIME_LAYERS[kind](), sequences())
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("kind", TIME_LAYERS)
def test_gradient_reaches_the_initial_state(kind):
    """set_state(h0[, c0]): dh (and dc) after backward are ∂L/∂h_0 (and ∂L/∂c_0)."""
    layer, xs = TIME_LAYERS[kind](), sequences()
    states = [RNG.standard_normal((N, H)) for _ in range(layer.n_states)]
    g = RNG.standard_normal((N, T, H))

    def scalar():
        layer.set_state(*states)
        return np.sum(layer.forward(xs) * g)

    scalar()
    layer.backward(g)
    analytic = [layer.dh] + ([layer.dc] if layer.n_states == 2 else [])
    for a, n in zip(analytic, numerical_gradients(scalar, states)):
        assert relative_error(a, n) < 1e-7


@pytest.mark.parametrize("kind", TIME_LAYERS)
def test_stateful_layer_continues_the_sequence_and_its_gradient_stops_at_the_chunk(kind):
    whole = TIME_LAYERS[kind]()
    chunked = type(whole)(*whole.params[:3], stateful=True, **_options(whole))
    xs = sequences(steps=2 * T)
    hs = whole.forward(xs)
    first = chunked.forward(xs[:, :T])
    second = chunked.forward(xs[:, T:])
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), hs, rtol=1e-12, atol=1e-12)
    # the second chunk's gradient check holds with the carried state as a constant (Truncated BPTT)
    carried = [chunked.h] + ([chunked.c] if chunked.n_states == 2 else [])
    g = RNG.standard_normal((N, T, H))

    def scalar():
        chunked.set_state(*carried)
        return np.sum(chunked.forward(xs[:, T:]) * g)

    scalar()
    dxs = chunked.backward(g)
    x_second = xs[:, T:].copy()

    def scalar_of_x():
        chunked.set_state(*carried)
        return np.sum(chunked.forward(x_second) * g)

    assert relative_error(dxs, parameter_gradient(scalar_of_x, x_second)) < 1e-7
    for grad, numeric in zip([g_.copy() for g_ in chunked.grads], numerical_gradients(scalar, chunked.params)):
        assert relative_error(grad, numeric) < 1e-7
    chunked.reset_state()
    np.testing.assert_allclose(chunked.forward(xs[:, :T]), first, rtol=1e-12)


def _options(layer):
    """The keyword arguments that rebuild ``layer`` (a cell or a time layer) with the same weights."""
    options = {}
    if getattr(layer, "peephole", None) is not None:
        options["peephole"] = layer.peephole
    if hasattr(layer, "reset_after"):
        options["reset_after"] = layer.reset_after
    return options


def test_a_layer_without_state_starts_from_zeros_unless_set_state_says_otherwise():
    layer = TIME_LAYERS["lstm"]()
    xs = sequences()
    np.testing.assert_array_equal(layer.forward(xs), layer.forward(xs))
    h0, c0 = RNG.standard_normal((N, H)), RNG.standard_normal((N, H))
    layer.set_state(h0, c0)
    started = layer.forward(xs)
    assert not np.allclose(started, layer.forward(xs))          # set_state holds for one forward only
    layer.set_state(h0, c0)
    np.testing.assert_array_equal(layer.forward(xs), started)
    np.testing.assert_array_equal(layer.h, started[:, -1])


@pytest.mark.parametrize("first, second", [("lstm", "gru"), ("rnn", "rnn"), ("gru-reset-after", "lstm-peephole")])
def test_bidirectional_checks_and_reads_the_sequence_both_ways(first, second):
    layer = recurrent.Bidirectional(TIME_LAYERS[first](), TIME_LAYERS[second]())
    xs = sequences()
    hs = layer.forward(xs)
    assert hs.shape == (N, T, 2 * H)
    np.testing.assert_allclose(hs[:, :, :H], layer.forward_layer.forward(xs))
    np.testing.assert_allclose(hs[:, ::-1, H:], layer.backward_layer.forward(xs[:, ::-1]))
    errors = layer_errors(recurrent.Bidirectional(TIME_LAYERS[first](), TIME_LAYERS[second]()), xs)
    assert max(errors.values()) < 1e-7, errors
    assert len(layer.params) == len(layer.forward_layer.params) + len(layer.backward_layer.params)


@pytest.mark.parametrize("make", [
    lambda: recurrent.TimeAffine(RNG.standard_normal((D, 6)), RNG.standard_normal(6)),
    lambda: recurrent.LastTimeStep(),
])
def test_time_affine_and_last_time_step_check(make):
    errors = layer_errors(make(), sequences())
    assert max(errors.values()) < 1e-7, errors


def test_last_time_step_passes_the_gradient_to_the_last_step_only():
    layer = recurrent.LastTimeStep()
    xs = sequences()
    np.testing.assert_array_equal(layer.forward(xs), xs[:, -1])
    dxs = layer.backward(np.ones((N, D)))
    assert np.all(dxs[:, -1] == 1) and np.all(dxs[:, :-1] == 0)


# --- one-step cells -------------------------------------------------------------------------------

CELLS = {
    "rnn": (lambda: recurrent.RNN(*weights(1)), recurrent.TimeRNN),
    "lstm": (lambda: recurrent.LSTM(*weights(4)), recurrent.TimeLSTM),
    "lstm-peephole": (lambda: recurrent.LSTM(*weights(4), peephole=RNG.standard_normal((3, H))), recurrent.TimeLSTM),
    "gru": (lambda: recurrent.GRU(*weights(3)), recurrent.TimeGRU),
    "gru-reset-after": (lambda: recurrent.GRU(*weights(3), reset_after=True), recurrent.TimeGRU),
}


@pytest.mark.parametrize("kind", CELLS)
def test_cell_backward_matches_numerical_gradient_for_every_input(kind):
    cell = CELLS[kind][0]()
    lstm = isinstance(cell, recurrent.LSTM)
    inputs = [RNG.standard_normal((N, D))] + [RNG.standard_normal((N, H)) for _ in range(2 if lstm else 1)]
    upstream = [RNG.standard_normal((N, H)) for _ in range(2 if lstm else 1)]

    def scalar():
        out = cell.forward(*inputs)
        out = out if lstm else (out,)
        return sum(np.sum(o * g) for o, g in zip(out, upstream))

    scalar()
    analytic = list(cell.backward(*upstream)) + [g.copy() for g in cell.grads]
    numeric = numerical_gradients(scalar, inputs + cell.params)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        assert relative_error(a, n) < 1e-7, i


@pytest.mark.parametrize("kind", CELLS)
def test_time_layer_equals_its_cell_applied_step_by_step(kind):
    make_cell, time_class = CELLS[kind]
    cell = make_cell()
    layer = time_class(*cell.params[:3], **_options(cell))
    xs = sequences()
    hs = layer.forward(xs)
    h = c = np.zeros((N, H))
    for t in range(T):
        if isinstance(cell, recurrent.LSTM):
            h, c = cell.forward(xs[:, t], h, c)
        else:
            h = cell.forward(xs[:, t], h)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-12, atol=1e-12)


def test_per_step_records_agree_with_the_recursion():
    """dh_steps[:, t] is ∂L/∂h_t: δ_t = dh_steps[:, t] ⊙ (1 − h_t²) gives ∂L/∂x_t = δ_t Wxᵀ and ∂L/∂h_0 = δ_1 Whᵀ."""
    layer = TIME_LAYERS["rnn"]()
    xs = sequences()
    hs = layer.forward(xs)
    dhs = np.zeros_like(hs)
    dhs[:, -1] = RNG.standard_normal((N, H))
    dxs = layer.backward(dhs)
    Wx, Wh = layer.params[:2]
    delta = layer.dh_steps * (1 - hs ** 2)
    np.testing.assert_allclose(dxs, delta @ Wx.T, rtol=1e-12)
    np.testing.assert_allclose(layer.dh, delta[:, 0] @ Wh.T, rtol=1e-12)
    np.testing.assert_array_equal(layer.dh_steps[:, -1], dhs[:, -1])


def test_lstm_gates_are_recorded_and_lie_in_their_ranges():
    layer = recurrent.lstm_layer(D, H, seed=1, dtype=np.float64)
    hs = layer.forward(sequences())
    assert set(layer.gates) == set("ifgo") and all(g.shape == (N, T, H) for g in layer.gates.values())
    for name in "ifo":
        assert np.all((layer.gates[name] > 0) & (layer.gates[name] < 1))
    assert np.all(np.abs(layer.gates["g"]) < 1)
    np.testing.assert_allclose(hs, layer.gates["o"] * np.tanh(_cells(layer)), rtol=1e-12)
    gru = recurrent.gru_layer(D, H, seed=1, dtype=np.float64)
    gru.forward(sequences())
    assert set(gru.gates) == {"z", "r", "h_tilde"}


def _cells(layer):
    """c_t for every t from the recorded gates: c_t = f ⊙ c_{t−1} + i ⊙ g."""
    g = layer.gates
    c, out = np.zeros((N, H)), []
    for t in range(T):
        c = g["f"][:, t] * c + g["i"][:, t] * g["g"][:, t]
        out.append(c)
    return np.stack(out, axis=1)


def test_lstm_with_forget_bias_1_keeps_the_gradient_far_longer_than_a_plain_rnn():
    """Over 50 steps of the adding problem's inputs (H = 64, the builders' initial weights), ‖∂L/∂c_1‖ / ‖∂L/∂c_50‖
    of an LSTM with forget bias 1 stays far above ‖∂L/∂h_1‖ / ‖∂L/∂h_50‖ of a plain RNN (measured 1.4e-2 and
    1.7e-5: the CEC, ∂c_t/∂c_{t−1} = f ≈ σ(1)); with forget bias 0 the LSTM loses it too (5.6e-7)."""
    from dlcore.sequences import adding_problem

    xs, _ = adding_problem(16, 50, seed=0)
    layers = {"rnn": recurrent.rnn_layer(2, 64, seed=0), "lstm": recurrent.lstm_layer(2, 64, seed=0),
              "lstm, forget bias 0": recurrent.lstm_layer(2, 64, seed=0, forget_bias=0.0)}
    kept = {}
    for name, layer in layers.items():
        hs = layer.forward(xs)
        dhs = np.zeros_like(hs)
        dhs[:, -1] = 1.0
        layer.backward(dhs)
        steps = layer.dh_steps if name == "rnn" else layer.dc_steps
        kept[name] = np.linalg.norm(steps[:, 0]) / np.linalg.norm(steps[:, -1])
    assert kept["lstm"] > 1e-3 and kept["lstm"] > 100 * kept["rnn"], kept
    assert kept["lstm"] > 1000 * kept["lstm, forget bias 0"], kept


# --- Embedding and the loss ----------------------------------------------------------------------------

def test_embedding_gathers_rows_and_adds_back_repeated_ids():
    W = RNG.standard_normal((6, D))
    layer = recurrent.Embedding(W)
    idx = np.array([[0, 2, 0], [2, 2, 5]])
    out = layer.forward(idx)
    np.testing.assert_array_equal(out, W[idx])
    g = RNG.standard_normal(out.shape)
    assert layer.backward(g) is None
    numeric = parameter_gradient(lambda: np.sum(layer.forward(idx) * g), W)
    assert relative_error(layer.grads[0], numeric) < 1e-7
    np.testing.assert_allclose(layer.grads[0][2], g[0, 1] + g[1, 0] + g[1, 1])
    assert np.all(layer.grads[0][[1, 3, 4]] == 0)


def test_time_softmax_with_loss_ignores_the_padding_label():
    xs = sequences(d=5)
    ts = RNG.integers(0, 5, (N, T))
    ts[0, 3:] = ts[2, 0] = -1
    layer = recurrent.TimeSoftmaxWithLoss()
    loss = layer.forward(xs, ts)
    log_y = xs - np.log(np.exp(xs).sum(axis=2, keepdims=True))
    counted = ts != -1
    expected = -np.mean(np.take_along_axis(log_y, np.maximum(ts, 0)[..., None], axis=2)[..., 0][counted])
    assert loss == pytest.approx(expected, rel=1e-12)
    dxs = layer.backward()
    assert np.all(dxs[~counted] == 0)
    assert layer_errors(recurrent.TimeSoftmaxWithLoss(), xs, ts)["dx"] < 1e-7
    uniform = recurrent.TimeSoftmaxWithLoss().forward(np.zeros((2, 3, 7)), np.zeros((2, 3), int))
    assert uniform == pytest.approx(np.log(7))


def test_time_loss_averages_a_loss_layer_over_every_position():
    xs = sequences(d=1)
    ts = (RNG.random((N, T, 1)) > 0.5).astype(float)
    loss = recurrent.TimeLoss(layers.SigmoidWithLoss()).forward(xs, ts)
    per_position = [layers.SigmoidWithLoss().forward(xs[:, t], ts[:, t]) for t in range(T)]
    assert loss == pytest.approx(np.mean(per_position), rel=1e-12)
    assert layer_errors(recurrent.TimeLoss(layers.SigmoidWithLoss()), xs, ts)["dx"] < 1e-7
    assert layer_errors(recurrent.TimeLoss(layers.IdentityWithLoss()), xs, RNG.standard_normal((N, T, 1)))["dx"] < 1e-7


# --- gradient clipping --------------------------------------------------------------------------

def test_clip_grads_by_norm_returns_the_norm_before_clipping_and_keeps_the_direction():
    grads = [np.array([3.0, 0.0]), np.array([[0.0, 4.0]], np.float32)]
    originals = [g.copy() for g in grads]
    assert recurrent.clip_grads_by_norm(grads, 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(grads[0], originals[0] / 5)
    np.testing.assert_allclose(grads[1], originals[1] / 5, rtol=1e-6)
    assert grads[1].dtype == np.float32
    small = [np.array([0.3, -0.4])]
    assert recurrent.clip_grads_by_norm(small, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(small[0], [0.3, -0.4])


def test_clip_grads_by_value_clips_each_element_in_place():
    grads = [np.array([-3.0, 0.5, 2.0])]
    target = grads[0]
    recurrent.clip_grads_by_value(grads, 1.0)
    assert grads[0] is target
    np.testing.assert_array_equal(target, [-1.0, 0.5, 1.0])


# --- initial weights, dtype, parameter counts ------------------------------------------------------

def test_builders_give_orthogonal_recurrent_blocks_forget_bias_and_the_known_parameter_counts():
    lstm = recurrent.lstm_layer(D, H, seed=3)
    Wx, Wh, b = lstm.params
    for block in np.split(Wh, 4, axis=1):
        np.testing.assert_allclose(block.T @ block, np.eye(H), atol=1e-5)
    np.testing.assert_array_equal(b, np.r_[np.zeros(H), np.ones(H), np.zeros(2 * H)])
    sizes = {"rnn": recurrent.rnn_layer(D, H), "lstm": lstm, "gru": recurrent.gru_layer(D, H)}
    gates = {"rnn": 1, "lstm": 4, "gru": 3}
    for name, layer in sizes.items():
        assert sum(p.size for p in layer.params) == gates[name] * (D * H + H * H + H)
        assert all(p.dtype == np.float32 for p in layer.params)
    assert len(recurrent.lstm_layer(D, H, peephole=True).params) == 4
    np.testing.assert_array_equal(recurrent.gru_layer(D, H, seed=5).params[1],
                                  recurrent.gru_layer(D, H, seed=5).params[1])
    assert recurrent.embedding_layer(10, D).params[0].shape == (10, D)
    assert recurrent.time_affine_layer(H, 7).params[0].shape == (H, 7)


@pytest.mark.parametrize("make", [
    lambda: recurrent.rnn_layer(D, H), lambda: recurrent.lstm_layer(D, H, peephole=True),
    lambda: recurrent.gru_layer(D, H), lambda: recurrent.gru_layer(D, H, reset_after=True),
    lambda: recurrent.Bidirectional(recurrent.lstm_layer(D, H), recurrent.gru_layer(D, H)),
    lambda: recurrent.time_affine_layer(D, H),
])
def test_float32_stays_float32(make):
    layer = make()
    out = layer.forward(sequences().astype(np.float32))
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads)


# --- clear errors ----------------------------------------------------------------------------------

def _backward_before_forward(layer, *args):
    return lambda: layer.backward(*args)


@pytest.mark.parametrize("call, message", [
    (lambda: recurrent.TimeRNN(*weights(1)).forward(np.ones((N, D))),
     r"TimeRNN.forward: xs must have shape \(N, T, 4\) \(batch, time, features\), got \(3, 4\)"),
    (lambda: recurrent.TimeLSTM(*weights(4)).forward(np.ones((N, T, D + 1))),
     r"TimeLSTM.forward: xs must have shape \(N, T, 4\) .*got \(3, 5, 5\)"),
    (lambda: recurrent.TimeGRU(*weights(3)).forward(np.ones((N, T, D), int)),
     r"TimeGRU.forward: xs must be a float ndarray \(N, T, D\), got int64"),
    (lambda: recurrent.TimeRNN(*weights(1)).forward(np.ones((0, T, D))),
     "TimeRNN.forward: the batch of sequences is empty"),
    (lambda: recurrent.TimeLSTM(*weights(3)), r"TimeLSTM: Wx must be \(D, 4H\), Wh \(H, 4H\) and b \(4H,\)"),
    (lambda: recurrent.RNN(np.ones((D, H)), np.ones((H, H)), np.ones(H, np.float32)),
     "RNN: Wx, Wh and b must be float arrays of one dtype"),
    (lambda: recurrent.TimeLSTM(*weights(4), peephole=np.ones((4, H))), r"TimeLSTM: peephole must be .* \(3, 3\)"),
    (lambda: recurrent.RNN(*weights(1)).forward(np.ones((N, D)), np.ones((N + 1, H))),
     r"RNN.forward: h_prev must be a float array \(3, 3\)"),
    (lambda: recurrent.LSTM(*weights(4)).forward(np.ones((N, D)), np.ones((N, H)), np.ones((N, 2))),
     r"LSTM.forward: c_prev must be a float array \(3, 3\)"),
    (_backward_before_forward(recurrent.TimeRNN(*weights(1)), np.ones((N, T, H))),
     "TimeRNN.backward: call forward first"),
    (_backward_before_forward(recurrent.TimeLSTM(*weights(4)), np.ones((N, T, H))),
     "TimeLSTM.backward: call forward first"),
    (_backward_before_forward(recurrent.GRU(*weights(3)), np.ones((N, H))), "GRU.backward: call forward first"),
    (_backward_before_forward(recurrent.Embedding(np.ones((5, D))), np.ones((N, T, D))),
     "Embedding.backward: call forward first"),
    (_backward_before_forward(recurrent.TimeSoftmaxWithLoss()), "TimeSoftmaxWithLoss.backward: call forward first"),
    (lambda: _forwarded(recurrent.TimeGRU(*weights(3))).backward(np.ones((N, T, H + 1))),
     r"TimeGRU.backward: dout must have the shape of the forward output \(3, 5, 3\), got \(3, 5, 4\)"),
    (lambda: _forwarded(recurrent.TimeAffine(np.ones((D, 2)), np.zeros(2))).backward(np.ones((N, T, 3))),
     r"TimeAffine.backward: dout must have the shape of the forward output \(3, 5, 2\)"),
    (lambda: _forwarded(_bidirectional()).backward(np.ones((N, T, H))),
     r"Bidirectional.backward: dout must have the shape of the forward output \(3, 5, 6\)"),
    (lambda: recurrent.Embedding(np.ones((5, D))).forward(np.array([[0.0, 1.0]])),
     r"Embedding.forward: ids must be integers, got dtype float64"),
    (lambda: recurrent.Embedding(np.ones((5, D))).forward(np.array([[0, 5]])),
     r"Embedding.forward: ids must lie in 0..4 \(the vocabulary has 5 entries\), got values from 0 to 5"),
    (lambda: recurrent.Embedding(np.ones((5, D))).forward(np.array([[-1, 2]])),
     r"Embedding.forward: ids must lie in 0..4"),
    (lambda: recurrent.Embedding(np.ones((5, D))).forward(np.zeros((2, 2, 2), int)),
     r"Embedding.forward: ids must be a non-empty \(N, T\) or \(N,\) array"),
    (lambda: recurrent.TimeSoftmaxWithLoss().forward(np.ones((N, T, 4)), np.ones((N, T))),
     "TimeSoftmaxWithLoss.forward: targets ts must be integer labels"),
    (lambda: recurrent.TimeSoftmaxWithLoss().forward(np.ones((N, T, 4)), np.ones((N, T + 1), int)),
     r"TimeSoftmaxWithLoss.forward: targets ts must have shape \(N, T\) = \(3, 5\)"),
    (lambda: recurrent.TimeSoftmaxWithLoss().forward(np.ones((N, T, 4)), np.full((N, T), 4)),
     "TimeSoftmaxWithLoss.forward: labels must lie in 0..3 or be ignore_label=-1"),
    (lambda: _forwarded(recurrent.TimeRNN(*weights(1), stateful=True)).forward(np.ones((N + 1, T, D))),
     r"TimeRNN.forward: the state to start from is for a batch of 3 sequences but xs has 4; call reset_state\(\)"),
    (lambda: recurrent.TimeRNN(*weights(1)).set_state(np.ones((N, H)), np.ones((N, H))),
     "TimeRNN.set_state: this layer has no memory cell c"),
    (lambda: recurrent.TimeLSTM(*weights(4)).set_state(np.ones((N, H + 1))),
     r"TimeLSTM.set_state: h must be .*\(N, 3\)"),
    (lambda: recurrent.Bidirectional(recurrent.TimeRNN(*weights(1)), object()),
     "Bidirectional: backward_layer must be a time layer"),
    (lambda: recurrent.Bidirectional(recurrent.TimeRNN(*weights(1)), recurrent.TimeRNN(*weights(1, d=D + 1))),
     "Bidirectional: the two layers read inputs of different sizes, 4 and 5"),
    (lambda: recurrent.Bidirectional(recurrent.TimeRNN(*weights(1)), recurrent.TimeRNN(*weights(1), stateful=True)),
     r"Bidirectional: the backward layer starts at the end of each sequence"),
    (lambda: recurrent.TimeLoss(np.mean), "TimeLoss: loss_layer must be a loss layer such as SigmoidWithLoss"),
    (lambda: recurrent.TimeLoss(layers.SigmoidWithLoss()).forward(np.ones((N, T, 1)), np.ones((N, T + 1, 1))),
     r"TimeLoss.forward: targets ts must start with \(N, T\) = \(3, 5\)"),
    (_backward_before_forward(recurrent.TimeLoss(layers.SigmoidWithLoss())), "TimeLoss.backward: call forward first"),
    (lambda: recurrent.clip_grads_by_norm([np.ones(2)], 0), "clip_grads_by_norm: max_norm must be a number > 0"),
    (lambda: recurrent.clip_grads_by_value([np.ones(2)], -1), "clip_grads_by_value: limit must be a number > 0"),
])
def test_bad_input_is_rejected_by_name(call, message):
    with pytest.raises((ValueError, TypeError, RuntimeError), match=message):
        call()


def _forwarded(layer):
    layer.forward(sequences())
    return layer


def _bidirectional():
    return recurrent.Bidirectional(recurrent.TimeRNN(*weights(1)), recurrent.TimeGRU(*weights(3)))


# --- PyTorch's twins (optional) ---------------------------------------------------------------

def _torch_run(torch, module, xs, states, dhs):
    """Forward xs (N, T, D) and the initial states through a batch-first torch module, backward dhs."""
    tx = torch.tensor(xs, requires_grad=True)
    tstates = [torch.tensor(s[None], requires_grad=True) for s in states]
    out, _ = module(tx, tstates[0] if len(tstates) == 1 else tuple(tstates))
    out.backward(torch.tensor(dhs))
    return out.detach().numpy(), tx.grad.numpy(), [s.grad.numpy()[0] for s in tstates]


def _ours_run(layer, xs, states, dhs):
    layer.set_state(*states)
    hs = layer.forward(xs)
    dxs = layer.backward(dhs)
    return hs, dxs, [layer.dh] + ([layer.dc] if layer.n_states == 2 else [])


def _assert_twins(ours, theirs):
    for a, b in zip(ours[:2], theirs[:2]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for a, b in zip(ours[2], theirs[2]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_time_rnn_equals_torch_rnn():
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    module = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True).double()
    Wx = module.weight_ih_l0.detach().numpy().T.copy()
    Wh = module.weight_hh_l0.detach().numpy().T.copy()
    b = (module.bias_ih_l0 + module.bias_hh_l0).detach().numpy()
    layer = recurrent.TimeRNN(Wx, Wh, b)
    xs, h0, dhs = sequences(), RNG.standard_normal((N, H)), RNG.standard_normal((N, T, H))
    _assert_twins(_ours_run(layer, xs, [h0], dhs), _torch_run(torch, module, xs, [h0], dhs))
    dWx, dWh, db = layer.grads
    np.testing.assert_allclose(dWx, module.weight_ih_l0.grad.numpy().T, rtol=1e-10)
    np.testing.assert_allclose(dWh, module.weight_hh_l0.grad.numpy().T, rtol=1e-10)
    np.testing.assert_allclose(db, module.bias_ih_l0.grad.numpy(), rtol=1e-10)


def test_time_lstm_equals_torch_lstm():
    """torch's weight_ih is (4H, D) in the same gate order (i, f, g, o): Wx = weight_ihᵀ, b = b_ih + b_hh."""
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    module = torch.nn.LSTM(D, H, batch_first=True).double()
    layer = recurrent.TimeLSTM(*_torch_lstm_weights(module, ""))
    xs, dhs = sequences(), RNG.standard_normal((N, T, H))
    states = [RNG.standard_normal((N, H)), RNG.standard_normal((N, H))]
    _assert_twins(_ours_run(layer, xs, states, dhs), _torch_run(torch, module, xs, states, dhs))
    dWx, dWh, db = layer.grads
    np.testing.assert_allclose(dWx, module.weight_ih_l0.grad.numpy().T, rtol=1e-10)
    np.testing.assert_allclose(dWh, module.weight_hh_l0.grad.numpy().T, rtol=1e-10)
    np.testing.assert_allclose(db, module.bias_hh_l0.grad.numpy(), rtol=1e-10)


def _torch_lstm_weights(module, suffix):
    def get(name):
        return getattr(module, name + "_l0" + suffix).detach().numpy()
    return get("weight_ih").T.copy(), get("weight_hh").T.copy(), get("bias_ih") + get("bias_hh")


def test_time_gru_reset_after_equals_torch_gru():
    """torch orders the gates (r, z, n) and writes h' = (1 − z) n + z h, so our z is its 1 − z: σ(−a), with the
    z weights and bias negated.  Its n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) is our reset_after=True
    with b_hn = 0 (zeroed in the module; the other two parts of bias_hh add to our b)."""
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    module = torch.nn.GRU(D, H, batch_first=True).double()
    with torch.no_grad():
        module.bias_hh_l0[2 * H:] = 0
    W_ih, W_hh = module.weight_ih_l0.detach().numpy(), module.weight_hh_l0.detach().numpy()
    b_ih, b_hh = module.bias_ih_l0.detach().numpy(), module.bias_hh_l0.detach().numpy()
    r, z, n = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)
    Wx = np.concatenate([-W_ih[z].T, W_ih[r].T, W_ih[n].T], axis=1)
    Wh = np.concatenate([-W_hh[z].T, W_hh[r].T, W_hh[n].T], axis=1)
    b = np.concatenate([-(b_ih[z] + b_hh[z]), b_ih[r] + b_hh[r], b_ih[n]])
    layer = recurrent.TimeGRU(Wx, Wh, b, reset_after=True)
    xs, h0, dhs = sequences(), RNG.standard_normal((N, H)), RNG.standard_normal((N, T, H))
    _assert_twins(_ours_run(layer, xs, [h0], dhs), _torch_run(torch, module, xs, [h0], dhs))
    dWx, dWh, db = layer.grads
    g_ih, g_hh, g_b = module.weight_ih_l0.grad.numpy(), module.weight_hh_l0.grad.numpy(), module.bias_ih_l0.grad.numpy()
    np.testing.assert_allclose(dWx, np.concatenate([-g_ih[z].T, g_ih[r].T, g_ih[n].T], axis=1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dWh, np.concatenate([-g_hh[z].T, g_hh[r].T, g_hh[n].T], axis=1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db, np.concatenate([-g_b[z], g_b[r], g_b[n]]), rtol=1e-10, atol=1e-12)


def test_bidirectional_lstm_equals_torch_bidirectional_lstm():
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    module = torch.nn.LSTM(D, H, batch_first=True, bidirectional=True).double()
    layer = recurrent.Bidirectional(recurrent.TimeLSTM(*_torch_lstm_weights(module, "")),
                                    recurrent.TimeLSTM(*_torch_lstm_weights(module, "_reverse")))
    xs, dhs = sequences(), RNG.standard_normal((N, T, 2 * H))
    hs, dxs = layer.forward(xs), layer.backward(dhs)
    tx = torch.tensor(xs, requires_grad=True)
    out, _ = module(tx)
    out.backward(torch.tensor(dhs))
    np.testing.assert_allclose(hs, out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dxs, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads[3], module.weight_ih_l0_reverse.grad.numpy().T, rtol=1e-10, atol=1e-12)


def test_clip_grads_by_norm_equals_torch_clip_grad_norm():
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    grads = [RNG.standard_normal((3, 4)), RNG.standard_normal(5)]
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for t, g in zip(tensors, grads):
        t.grad = torch.tensor(g)
    theirs = torch.nn.utils.clip_grad_norm_(tensors, 0.5)
    assert recurrent.clip_grads_by_norm(grads, 0.5) == pytest.approx(float(theirs))
    for g, t in zip(grads, tensors):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-5)   # torch divides by norm + 1e-6
