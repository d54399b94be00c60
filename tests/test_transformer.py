"""dlcore.transformer: gradient checks of the whole model (Post-LN, Pre-LN, causal, ignored targets), training with
the Trainer, permutation equivariance without positional encoding, the causal mask, dtypes and errors by name."""

import numpy as np
import pytest

from dlcore import optimizers, seq2seq, sequences, training
from dlcore.gradcheck import parameter_gradient, relative_error
from dlcore.transformer import TransformerEncoder

V, D, HEADS, D_FF, N, T = 7, 8, 2, 12, 3, 5
RNG = np.random.default_rng(0)


def ids(n=N, steps=T, high=V):
    return RNG.integers(0, high, size=(n, steps))


def tiny(**options):
    return TransformerEncoder(V, D, HEADS, D_FF, max_len=8, seed=1, dtype=np.float64, **options)


def digits(strings):
    return np.array([[int(c) for c in s] for s in strings])


@pytest.mark.parametrize("options", [{}, {"norm": "pre"}, {"num_blocks": 2}, {"causal": True, "norm": "pre"},
                                     {"positional": False, "ignore_label": 0}])
def test_the_gradient_of_every_parameter_matches_the_numerical_gradient(options):
    model = tiny(**options)
    xs, ts = ids(), ids()
    ts[0, :2] = 0                                      # ignored targets when ignore_label = 0
    model.loss_and_gradient(xs, ts)
    analytic = [g.copy() for g in model.grads]
    for k, (param, grad) in enumerate(zip(model.params, analytic)):
        numeric = parameter_gradient(lambda: model.forward(xs, ts), param)
        if np.max(np.abs(numeric)) < 1e-9:           # b_K of every attention (the softmax ignores it)
            assert np.max(np.abs(grad)) < 1e-9, k
        else:
            assert relative_error(grad, numeric) < 1e-6, k


def test_layers_params_and_grads_line_up_for_the_trainer():
    model = tiny(num_blocks=2, norm="pre")
    owned = [p for layer in model.layers for p in layer.params]
    assert len(owned) == len(model.params) and all(a is b for a, b in zip(owned, model.params))
    assert len(model.params) == len(model.grads) and all(p.shape == g.shape for p, g in zip(model.params, model.grads))
    # embedding V·d, per block 4d² + 4d (attention) + 2·2d (two layer norms) + (d·d_ff + d_ff + d_ff·d + d),
    # the final layer norm 2d (Pre-LN), the output layer d·V + V
    block = 4 * D * D + 4 * D + 4 * D + 2 * D * D_FF + D_FF + D
    assert sum(p.size for p in model.params) == V * D + 2 * block + 2 * D + D * V + V


def test_weights_hold_the_attention_of_every_block():
    model = tiny(num_blocks=2)
    model.predict(ids())
    assert len(model.weights) == 2
    for w in model.weights:
        assert w.shape == (N, HEADS, T, T) and np.allclose(w.sum(axis=-1), 1)


def test_without_positional_encoding_permuting_the_input_permutes_the_scores():
    xs, order = ids(), np.array([3, 0, 4, 1, 2])
    plain, encoded = tiny(positional=False), tiny()
    assert np.allclose(plain.predict(xs[:, order]), plain.predict(xs)[:, order])
    assert not np.allclose(encoded.predict(xs[:, order]), encoded.predict(xs)[:, order], atol=1e-3)


def test_with_the_causal_mask_the_scores_at_t_ignore_later_tokens():
    model, xs = tiny(causal=True, num_blocks=2), ids()
    changed = xs.copy()
    changed[:, 3:] = (changed[:, 3:] + 1) % V
    before, after = model.predict(xs), model.predict(changed)
    assert np.allclose(before[:, :3], after[:, :3]) and not np.allclose(before[:, 3:], after[:, 3:])
    assert np.all(np.triu(model.weights[0][0, 0], 1) == 0)


def test_the_trainer_teaches_it_to_reverse_digit_strings_with_positional_encoding_only():
    questions, answers = sequences.digit_problems(2200, 5, "reverse", seed=0)
    xs, ts = digits(questions), digits(answers)
    scores = {}
    for positional in (True, False):
        model = TransformerEncoder(10, 16, 2, 32, positional=positional, seed=0)
        trainer = training.Trainer(model, optimizers.Adam(lr=0.01), batch_size=50, epochs=8, seed=0, metric=None,
                                   progress=False)
        history = trainer.fit(xs[:2000], ts[:2000], xs[2000:], ts[2000:])
        predicted = model.predict(xs[2000:]).argmax(axis=2)
        scores[positional] = seq2seq.token_accuracy(predicted, ts[2000:])
        assert len(history["test_loss"]) == 8 and history["test_loss"][-1] < history["test_loss"][0]
    assert scores[True] > 0.95 and scores[False] < 0.5


def test_float32_stays_float32_and_the_loss_is_ln_v_at_the_start():
    model = TransformerEncoder(V, D, HEADS, D_FF, seed=0)
    xs = ids(20, 6)
    assert model.predict(xs).dtype == np.float32
    loss, grads = model.loss_and_gradient(xs, ids(20, 6))
    assert all(g.dtype == np.float32 for g in grads)
    assert abs(loss - np.log(V)) < 1.5


@pytest.mark.parametrize("call, error, message", [
    (lambda: TransformerEncoder(V, 6, 4, D_FF), ValueError, "TransformerEncoder: num_heads=4 must divide"),
    (lambda: TransformerEncoder(V, D, HEADS, D_FF, norm="mid"), ValueError, "TransformerEncoder: norm"),
    (lambda: TransformerEncoder(V, D, HEADS, 0), ValueError, "TransformerEncoder: d_ff"),
    (lambda: tiny().predict(ids(high=V + 1) + 1), ValueError, "TransformerEncoder.predict: xs must lie in"),
    (lambda: tiny().predict(ids().astype(float)), TypeError, "TransformerEncoder.predict: xs must be integer"),
    (lambda: tiny().predict(ids(steps=9)), ValueError, "more than max_len = 8"),
    (lambda: tiny().forward(ids(), ids(steps=4)), ValueError, "TransformerEncoder.forward: ts must hold one target"),
    (lambda: tiny().forward(ids(), ids().astype(float)), TypeError, "TransformerEncoder.forward: ts must be integer"),
    (lambda: tiny().loss(ids(), ids() + V), ValueError, "TransformerEncoder.loss: ts must lie in"),
    (lambda: tiny().backward(), RuntimeError, "forward"),
])
def test_bad_input_is_rejected_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()
