"""dlcore.seq2seq: gradient checks of the encoder and decoders, teacher forcing, greedy decoding, metrics, errors."""

import numpy as np
import pytest

from dlcore import optimizers, seq2seq, sequences, training
from dlcore.gradcheck import parameter_gradient, relative_error

RNG = np.random.default_rng(0)
N, T_IN, T_OUT, V, D, H = 3, 4, 3, 7, 5, 4
TORCH_REASON = "PyTorch is not installed (optional: pip install torch==2.13.0)"
DECODERS = {"decoder": seq2seq.Decoder, "peeky": seq2seq.PeekyDecoder}


def ids(n=N, steps=T_IN, low=0):
    return RNG.integers(low, V, (n, steps))


def randomise(params, scale=0.5):
    """Give every parameter random float64 values (the builders start the embedding tiny and b at 0)."""
    for p in params:
        p[...] = scale * RNG.standard_normal(p.shape)


def check_gradients(scalar, analytic, arrays):
    scalar()
    for k, (a, p) in enumerate(zip(analytic(), arrays)):
        assert relative_error(a, parameter_gradient(scalar, p)) < 1e-7, k


# --- gradient checks ---------------------------------------------------------------------------------

def test_encoder_backward_matches_numerical_gradient():
    encoder = seq2seq.Encoder(V, D, H, dtype=np.float64)
    randomise(encoder.params)
    xs, g = ids(), RNG.standard_normal((N, H))

    def scalar():
        return np.sum(encoder.forward(xs) * g)

    def analytic():
        scalar()
        assert encoder.backward(g) is None
        return [grad.copy() for grad in encoder.grads]

    check_gradients(scalar, analytic, encoder.params)


@pytest.mark.parametrize("kind", DECODERS)
def test_decoder_backward_matches_numerical_gradient_for_h_and_every_parameter(kind):
    decoder = DECODERS[kind](V, D, H, dtype=np.float64)
    randomise(decoder.params)
    ys, h, g = ids(steps=T_OUT), RNG.standard_normal((N, H)), RNG.standard_normal((N, T_OUT, V))

    def scalar():
        return np.sum(decoder.forward(ys, h) * g)

    def analytic():
        scalar()
        dh = decoder.backward(g)
        return [dh] + [grad.copy() for grad in decoder.grads]

    check_gradients(scalar, analytic, [h] + decoder.params)


@pytest.mark.parametrize("peeky", [False, True])
def test_seq2seq_loss_gradient_matches_numerical_gradient_and_ignores_padding(peeky):
    model = seq2seq.Seq2Seq(V, D, H, peeky=peeky, ignore_label=0, dtype=np.float64)
    randomise(model.params)
    xs, ts = ids(), ids(steps=T_OUT + 1, low=1)
    ts[0, 2:] = 0                                              # padding after a short answer
    loss, grads = model.loss_and_gradient(xs, ts)
    analytic = [g.copy() for g in grads]
    for a, p in zip(analytic, model.params):
        assert relative_error(a, parameter_gradient(lambda: model.forward(xs, ts), p)) < 1e-7
    scores = model.predict(xs, ts)
    log_y = scores - np.log(np.exp(scores).sum(axis=2, keepdims=True))
    picked = np.take_along_axis(log_y, ts[:, 1:, None], axis=2)[..., 0]
    assert loss == pytest.approx(-picked[ts[:, 1:] != 0].mean(), rel=1e-12)     # mean over the 3·3 − 2 targets
    assert model.loss(xs, ts) == pytest.approx(loss)
    assert len(model.params) == len(model.encoder.params) + len(model.decoder.params) == 4 + 6


def test_peeky_decoder_joins_the_encoder_state_to_every_input_and_output():
    plain, peeky = seq2seq.Decoder(V, D, H), seq2seq.PeekyDecoder(V, D, H)
    assert plain.lstm.params[0].shape == (D, 4 * H) and peeky.lstm.params[0].shape == (D + H, 4 * H)
    assert plain.affine.params[0].shape == (H, V) and peeky.affine.params[0].shape == (2 * H, V)
    ys, h = ids(steps=T_OUT), RNG.standard_normal((N, H)).astype(np.float32)
    peeky.forward(ys, h)
    np.testing.assert_array_equal(peeky.affine.xs[:, :, H:], np.broadcast_to(h[:, None], (N, T_OUT, H)))
    assert peeky.forward(ys, 2 * h).shape == (N, T_OUT, V)
    assert not np.allclose(peeky.forward(ys, h), peeky.forward(ys, 2 * h))


# --- teacher forcing and greedy decoding ---------------------------------------------------------------

def trained_like_decoder(kind="decoder"):
    """A float64 decoder with random weights large enough that its argmax choices vary."""
    decoder = DECODERS[kind](V, D, H, dtype=np.float64)
    randomise(decoder.params, scale=1.0)
    return decoder


@pytest.mark.parametrize("kind", DECODERS)
def test_greedy_generation_feeds_back_the_argmax_of_every_step(kind):
    decoder, h = trained_like_decoder(kind), RNG.standard_normal((6, H))
    out = decoder.generate(h, start_id=1, length=5)
    assert out.shape == (6, 5) and out.dtype == np.intp
    prefix = np.ones((6, 1), dtype=np.intp)
    for t in range(5):                                        # the teacher-forced scores of its own prefix
        np.testing.assert_array_equal(decoder.forward(prefix, h)[:, -1].argmax(axis=1), out[:, t])
        prefix = np.concatenate([prefix, out[:, t:t + 1]], axis=1)
    assert len(set(out.ravel().tolist())) > 1
    decoder.generate(h, start_id=1, length=5)
    with pytest.raises(RuntimeError, match="backward: call forward first"):
        decoder.backward(np.ones((6, 5, V)))                  # generate leaves nothing to differentiate


@pytest.mark.parametrize("kind", DECODERS)
def test_teacher_forcing_switch_reads_the_truth_its_own_predictions_or_a_mixture(kind):
    decoder, h = trained_like_decoder(kind), RNG.standard_normal((400, H))
    ys = RNG.integers(0, V, (400, 6))
    ys[:, 0] = 1
    forced = decoder.forward(ys, h, teacher_forcing=1.0)
    np.testing.assert_array_equal(decoder.inputs, ys)
    free = decoder.forward(ys, h, teacher_forcing=0.0)
    inputs = decoder.inputs
    np.testing.assert_array_equal(inputs[:, 0], ys[:, 0])
    np.testing.assert_array_equal(inputs[:, 1:], free[:, :-1].argmax(axis=2))   # its own previous argmax
    np.testing.assert_array_equal(free.argmax(axis=2), decoder.generate(h, 1, 6))
    np.testing.assert_allclose(free, decoder.forward(inputs, h), rtol=1e-12)      # = teacher forcing on them
    assert not np.allclose(forced, free)
    assert decoder.forward(ys, h, teacher_forcing=False).shape == free.shape
    decoder.forward(ys, h, teacher_forcing=0.5)
    mixed = decoder.inputs
    truth, own = mixed[:, 1:] == ys[:, 1:], mixed[:, 1:] == decoder.forward(mixed, h)[:, :-1].argmax(axis=2)
    assert np.all(truth | own)
    differ = ys[:, 1:] != decoder.forward(mixed, h)[:, :-1].argmax(axis=2)
    assert 0.4 < truth[differ].mean() < 0.6                    # where the two differ, the truth half the time


def test_exact_match_under_greedy_decoding_equals_every_step_right_under_teacher_forcing():
    model = seq2seq.Seq2Seq(V, D, H, ignore_label=0, dtype=np.float64)
    randomise(model.params, scale=1.0)
    xs = ids(n=300)
    greedy = model.generate(xs, 1, T_OUT)
    ts = np.concatenate([np.ones((300, 1), int), greedy], axis=1)
    ts[:150, 2] = (ts[:150, 2] + 1) % V                        # change one target in half of the rows
    forced = model.predict(xs, ts).argmax(axis=2)
    assert seq2seq.exact_match(greedy, ts[:, 1:]) == seq2seq.exact_match(forced, ts[:, 1:]) == 0.5


def test_seq2seq_trains_with_the_trainer_to_reverse_short_strings():
    vocab = sequences.Vocabulary("abcd")
    rng = np.random.default_rng(1)
    words = ["".join(rng.choice(list("abcd"), size=rng.integers(1, 4))) for _ in range(600)]
    xs = vocab.encode_batch(words)
    ts = vocab.encode_batch([w[::-1] for w in words], start=True, end=True)
    model = seq2seq.Seq2Seq(len(vocab), 8, 32, peeky=True, ignore_label=vocab.pad_id, seed=0)
    trainer = training.Trainer(model, optimizers.Adam(lr=0.01), batch_size=50, epochs=12, seed=0, metric=None,
                               progress=False, clip_norm=5.0)
    history = trainer.fit(xs, ts)
    assert history["loss"][-1] < history["loss"][0] / 5
    answers = model.generate(xs, vocab.start_id, ts.shape[1] - 1)
    assert seq2seq.exact_match(answers, ts[:, 1:], vocab.pad_id) > 0.8
    assert vocab.decode_batch(answers[:3]) == [w[::-1] for w in words[:3]]


def test_metrics_count_the_non_padded_positions_only():
    targets = np.array([[5, 6, 2, 0], [5, 2, 0, 0], [7, 7, 7, 2]])
    predicted = np.array([[5, 6, 2, 4], [5, 3, 0, 0], [7, 7, 1, 2]])
    assert seq2seq.exact_match(predicted, targets, ignore_label=0) == pytest.approx(1 / 3)
    assert seq2seq.token_accuracy(predicted, targets, ignore_label=0) == pytest.approx(7 / 9)
    assert seq2seq.exact_match(predicted, targets) == 0.0     # without ignore_label every position counts


def test_float32_stays_float32():
    model = seq2seq.Seq2Seq(V, D, H, peeky=True)
    xs, ts = ids(), ids(steps=T_OUT + 1)
    loss, grads = model.loss_and_gradient(xs, ts)
    assert all(g.dtype == np.float32 for g in grads) and np.isfinite(loss)
    assert model.predict(xs, ts).dtype == np.float32


# --- clear errors ----------------------------------------------------------------------------------------

def _forwarded(decoder):
    decoder.forward(ids(steps=T_OUT), np.zeros((N, H), np.float32))
    return decoder


@pytest.mark.parametrize("call, message", [
    (lambda: seq2seq.Encoder(V, D, H).forward(np.ones((N, T_IN))), r"Encoder.forward: xs must be integer ids"),
    (lambda: seq2seq.Encoder(V, D, H).forward(np.ones(T_IN, int)),
     r"Encoder.forward: xs must be a non-empty batch of ids \(N, T\), got shape \(4,\)"),
    (lambda: seq2seq.Encoder(V, D, H).forward(np.full((N, T_IN), V)),
     r"Encoder.forward: xs must lie in 0..6 \(the vocabulary has 7 symbols\)"),
    (lambda: seq2seq.Encoder(V, D, H).backward(np.ones((N, H))), "Encoder.backward: call forward first"),
    (lambda: seq2seq.Encoder(V, 0, H), "Encoder: embed_size must be an integer ≥ 1, got 0"),
    (lambda: seq2seq.Decoder(V, D, H).forward(ids(steps=T_OUT), np.zeros((N + 1, H))),
     r"Decoder.forward: h must be the encoder's state, a float array \(3, 4\), got float64 \(4, 4\)"),
    (lambda: seq2seq.PeekyDecoder(V, D, H).forward(ids(steps=T_OUT), np.zeros((N, H)), teacher_forcing=1.5),
     r"PeekyDecoder.forward: teacher_forcing must be a probability in \[0, 1\]"),
    (lambda: seq2seq.Decoder(V, D, H).backward(np.ones((N, T_OUT, V))), "Decoder.backward: call forward first"),
    (lambda: _forwarded(seq2seq.PeekyDecoder(V, D, H)).backward(np.ones((N, T_OUT, V + 1))),
     r"PeekyDecoder.backward: dout must have the shape of the forward output \(3, 3, 7\)"),
    (lambda: seq2seq.Decoder(V, D, H).generate(np.zeros((N, H)), start_id=V, length=3),
     "Decoder.generate: start_id must be an id in 0..6, got 7"),
    (lambda: seq2seq.Decoder(V, D, H).generate(np.zeros((N, H)), start_id=1, length=0),
     "Decoder.generate: length must be an integer ≥ 1, got 0"),
    (lambda: seq2seq.Decoder(V, D, H).generate(np.zeros(H), start_id=1, length=2),
     r"Decoder.generate: h must be the encoder's state, a float array \(N, 4\)"),
    (lambda: seq2seq.Seq2Seq(V, D, H).forward(ids(), ids(steps=1)),
     r"Seq2Seq.forward: ts must hold the start symbol and at least one target"),
    (lambda: seq2seq.Seq2Seq(V, D, H).forward(ids(), ids(n=N + 1)),
     "Seq2Seq.forward: xs holds 3 sequences but ts 4"),
    (lambda: seq2seq.Seq2Seq(V, D, H).predict(ids(), ids() * 1.0), "Seq2Seq.predict: ts must be integer ids"),
    (lambda: seq2seq.exact_match(np.zeros((2, 3), int), np.zeros((2, 4), int)),
     r"exact_match: predicted and targets must be integer ids of one shape \(N, T\)"),
    (lambda: seq2seq.token_accuracy(np.zeros((2, 3)), np.zeros((2, 3), int)),
     "token_accuracy: predicted and targets must be integer ids"),
])
def test_bad_input_is_rejected_by_name(call, message):
    with pytest.raises((ValueError, TypeError, RuntimeError), match=message):
        call()


# --- PyTorch's twin (optional) -------------------------------------------------------------------------

def test_peeky_seq2seq_loss_and_gradients_equal_torch():
    """nn.Embedding → nn.LSTM (its last h); the decoder's nn.LSTM reads [embed(y_t), h] from (h, 0) and nn.Linear
    reads [h_t, h]; cross_entropy with ignore_index = the padding id.  weight_ih = Wxᵀ, bias_ih = b, bias_hh = 0."""
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    nn = torch.nn
    model = seq2seq.Seq2Seq(V, D, H, peeky=True, ignore_label=0, dtype=np.float64)
    randomise(model.params)
    xs, ts = ids(), ids(steps=T_OUT + 1, low=1)
    ts[1, 2:] = 0
    loss, grads = model.loss_and_gradient(xs, ts)

    def twin_lstm(Wx, Wh, b):
        module = nn.LSTM(Wx.shape[0], H, batch_first=True).double()
        with torch.no_grad():
            module.weight_ih_l0.copy_(torch.tensor(Wx.T))
            module.weight_hh_l0.copy_(torch.tensor(Wh.T))
            module.bias_ih_l0.copy_(torch.tensor(b))
            module.bias_hh_l0.zero_()
        return module

    (enc_W, *enc_lstm), (dec_W, *dec_lstm, aff_W, aff_b) = model.encoder.params, model.decoder.params
    enc_embed, dec_embed = (nn.Embedding.from_pretrained(torch.tensor(W), freeze=False) for W in (enc_W, dec_W))
    enc, dec = twin_lstm(*enc_lstm), twin_lstm(*dec_lstm)
    affine = nn.Linear(2 * H, V).double()
    with torch.no_grad():
        affine.weight.copy_(torch.tensor(aff_W.T))
        affine.bias.copy_(torch.tensor(aff_b))
    _, (h, _) = enc(enc_embed(torch.tensor(xs)))
    peek = h[0][:, None].expand(N, T_OUT, H)
    hs, _ = dec(torch.cat([dec_embed(torch.tensor(ts[:, :-1])), peek], dim=2), (h, torch.zeros_like(h)))
    scores = affine(torch.cat([hs, peek], dim=2))
    theirs = nn.functional.cross_entropy(scores.reshape(-1, V), torch.tensor(ts[:, 1:]).reshape(-1), ignore_index=0)
    theirs.backward()
    assert loss == pytest.approx(theirs.item(), rel=1e-12)
    twins = [enc_embed.weight.grad, enc.weight_ih_l0.grad.T, enc.weight_hh_l0.grad.T, enc.bias_ih_l0.grad,
             dec_embed.weight.grad, dec.weight_ih_l0.grad.T, dec.weight_hh_l0.grad.T, dec.bias_ih_l0.grad,
             affine.weight.grad.T, affine.bias.grad]
    for g, t in zip(grads, twins):
        np.testing.assert_allclose(g, t.numpy(), rtol=1e-9, atol=1e-12)
