"""dlcore.attention: gradient checks of every layer (with and without masks), masks, √d_k, positional encoding,
permutation equivariance, the attention seq2seq, errors, dtypes, and PyTorch's twins."""

import numpy as np
import pytest

from dlcore import attention, attention_seq2seq, seq2seq
from dlcore.attention import (MultiHeadAttention, PositionalEncoding, ScaledDotProductAttention, SelfAttention,
                              TransformerEncoderBlock, causal_mask, padding_mask, positional_encoding,
                              scaled_dot_product_attention)
from dlcore.gradcheck import layer_errors, parameter_gradient, relative_error

RNG = np.random.default_rng(0)
N, TQ, TK, DK, DV, D, HEADS = 2, 3, 4, 5, 6, 8, 2
TORCH_REASON = "PyTorch is not installed (optional: pip install torch==2.13.0)"


def normal(*shape):
    return RNG.standard_normal(shape)


def pad_mask():
    """(N, 1, TK): the first sequence has 2 padded keys, the second none."""
    ids = np.array([[3, 1, 0, 0], [2, 4, 1, 5]])
    return padding_mask(ids, 0)


def check_gradients(scalar, analytic, arrays, zero=()):
    """Each analytic gradient against central differences; those listed in ``zero`` must be 0 (both ways)."""
    scalar()
    for k, (a, p) in enumerate(zip(analytic(), arrays)):
        numeric = parameter_gradient(scalar, p)
        if k in zero:
            assert np.max(np.abs(a)) < 1e-12 and np.max(np.abs(numeric)) < 1e-8, k
        else:
            assert relative_error(a, numeric) < 1e-7, k


def layer_gradients(layer, inputs, run, g):
    """check_gradients for a layer with several inputs: ``run(*inputs)`` → output, ``layer.backward(g)``."""
    def scalar():
        return np.sum(run(*inputs) * g)

    def analytic():
        scalar()
        back = layer.backward(g)
        back = back if isinstance(back, tuple) else (back,)
        return list(back) + [grad.copy() for grad in layer.grads]

    return scalar, analytic


# --- scaled dot-product attention and masks ---------------------------------------------------------------

MASKS = {"none": lambda: None, "padding": pad_mask, "causal": lambda: causal_mask(4)[1:],
         "both": lambda: pad_mask() & causal_mask(4)[1:]}


@pytest.mark.parametrize("mask", MASKS)
@pytest.mark.parametrize("heads", [False, True])
def test_scaled_dot_product_attention_backward_matches_numerical_gradient(mask, heads):
    lead = (N, HEADS) if heads else (N,)
    Q, K, V = normal(*lead, TQ, DK), normal(*lead, TK, DK), normal(*lead, TK, DV)
    m = MASKS[mask]()
    if heads and m is not None:
        m = m if m.ndim == 2 else m[:, None]
    layer, g = ScaledDotProductAttention(), normal(*lead, TQ, DV)
    check_gradients(*layer_gradients(layer, (Q, K, V), lambda q, k, v: layer.forward(q, k, v, m), g), [Q, K, V])


def test_attention_is_the_softmax_of_scaled_scores_and_masked_keys_get_weight_zero():
    Q, K, V = normal(N, TQ, DK), normal(N, TK, DK), normal(N, TK, DV)
    out, weights = scaled_dot_product_attention(Q, K, V, pad_mask())
    scores = Q @ K.transpose(0, 2, 1) / np.sqrt(DK)
    scores[0, :, 2:] = -np.inf                                          # the two padded keys of sequence 0
    expected = np.exp(scores - scores.max(axis=2, keepdims=True))
    expected /= expected.sum(axis=2, keepdims=True)
    np.testing.assert_allclose(weights, expected, rtol=1e-12)
    np.testing.assert_allclose(out, expected @ V, rtol=1e-12)
    assert np.all(weights[0, :, 2:] == 0)
    np.testing.assert_allclose(weights.sum(axis=2), 1, rtol=1e-12)
    K2, V2 = K.copy(), V.copy()                                         # what sits at padding does not matter
    K2[0, 2:], V2[0, 2:] = 100.0, -100.0
    np.testing.assert_allclose(scaled_dot_product_attention(Q, K2, V2, pad_mask())[0], out, rtol=1e-12)


def test_padding_and_causal_masks():
    np.testing.assert_array_equal(pad_mask(), [[[True, True, False, False]], [[True] * 4]])
    np.testing.assert_array_equal(causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    Q = K = V = normal(N, 4, DK)
    layer = ScaledDotProductAttention()
    layer.forward(Q, K, V, causal_mask(4))
    assert np.all(np.triu(np.ones((4, 4)), 1) * layer.weights == 0)   # no query sees a later key
    assert np.all(layer.weights[:, 0, 0] == 1)


def test_a_fully_masked_row_gives_weights_and_output_zero_and_no_nan():
    Q, K, V = normal(N, TQ, DK), normal(N, TK, DK), normal(N, TK, DV)
    mask = np.ones((N, TQ, TK), dtype=bool)
    mask[1, 2] = False                                                  # query 2 of sequence 1 sees nothing
    layer = ScaledDotProductAttention()
    out = layer.forward(Q, K, V, mask)
    assert np.all(np.isfinite(out)) and np.all(out[1, 2] == 0) and np.all(layer.weights[1, 2] == 0)
    dQ, dK, dV = layer.backward(normal(N, TQ, DV))
    assert all(np.all(np.isfinite(d)) for d in (dQ, dK, dV)) and np.all(dQ[1, 2] == 0)
    check_gradients(*layer_gradients(layer, (Q, K, V), lambda q, k, v: layer.forward(q, k, v, mask),
                                     normal(N, TQ, DV)), [Q, K, V])


def test_q_dot_k_has_variance_d_k_and_the_scaled_score_variance_one():
    for d_k in (4, 64, 256):
        q, k = RNG.standard_normal((20000, d_k)), RNG.standard_normal((20000, d_k))
        dots = np.sum(q * k, axis=1)
        assert dots.var() == pytest.approx(d_k, rel=0.05)
        assert (dots / np.sqrt(d_k)).var() == pytest.approx(1, rel=0.05)


# --- multi-head attention --------------------------------------------------------------------------------

def randomise(params, scale=0.5):
    for p in params:
        p[...] = scale * RNG.standard_normal(p.shape)


@pytest.mark.parametrize("mask", [None, "padding", "causal", "per-head"])
@pytest.mark.parametrize("bias", [True, False])
def test_multi_head_attention_backward_matches_numerical_gradient(mask, bias):
    layer = MultiHeadAttention(D, HEADS, dtype=np.float64, bias=bias)
    randomise(layer.params)
    q, k, v = normal(N, TQ, D), normal(N, TK, D), normal(N, TK, D)
    m = {None: None, "padding": pad_mask(), "causal": causal_mask(4)[1:],
         "per-head": RNG.random((N, HEADS, TQ, TK)) < 0.7}[mask]
    g = normal(N, TQ, D)
    zero = (3 + 3,) if bias else ()                                     # ∂L/∂b_K (after dq, dk, dv) is 0
    check_gradients(*layer_gradients(layer, (q, k, v), lambda *x: layer.forward(*x, mask=m), g),
                    [q, k, v] + layer.params, zero)
    assert layer.weights.shape == (N, HEADS, TQ, TK)


def test_multi_head_attention_has_4d2_plus_4d_parameters():
    for d, h in ((8, 2), (64, 8), (512, 8)):
        assert sum(p.size for p in MultiHeadAttention(d, h).params) == 4 * d * d + 4 * d
        assert sum(p.size for p in MultiHeadAttention(d, h, bias=False).params) == 4 * d * d


def test_each_head_is_scaled_dot_product_attention_on_its_block_of_columns():
    layer = MultiHeadAttention(D, HEADS, dtype=np.float64, seed=3)
    randomise(layer.params)
    q, kv = normal(N, TQ, D), normal(N, TK, D)
    out = layer.forward(q, kv, kv)
    WQ, bQ, WK, bK, WV, bV, WO, bO = layer.params
    dk, heads = D // HEADS, []
    for j in range(HEADS):
        cols = slice(j * dk, (j + 1) * dk)
        heads.append(scaled_dot_product_attention(q @ WQ[:, cols] + bQ[cols], kv @ WK[:, cols] + bK[cols],
                                                  kv @ WV[:, cols] + bV[cols])[0])
    np.testing.assert_allclose(out, np.concatenate(heads, axis=2) @ WO + bO, rtol=1e-12)


def test_self_attention_gradient_is_the_sum_of_the_query_key_and_value_gradients():
    layer = SelfAttention(D, HEADS, dtype=np.float64)
    randomise(layer.params)
    x, g = normal(N, TK, D), normal(N, TK, D)
    for mask in (None, causal_mask(TK), pad_mask()):
        check_gradients(*layer_gradients(layer, (x,), lambda x_: layer.forward(x_, mask), g),
                        [x] + layer.params, zero=(1 + 3,))
    layer.forward(x)
    dq, dk, dv = layer.mha.backward(g)
    np.testing.assert_allclose(layer.backward(g), dq + dk + dv)
    assert layer.params is layer.mha.params


# --- positional encoding and permutations ----------------------------------------------------------------

def test_positional_encoding_is_interleaved_sin_and_cos():
    pe = positional_encoding(50, 6, np.float64)
    pos = np.arange(50)
    for i in range(3):
        np.testing.assert_allclose(pe[:, 2 * i], np.sin(pos / 10000 ** (2 * i / 6)), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(pe[:, 2 * i + 1], np.cos(pos / 10000 ** (2 * i / 6)), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(pe[0], [0, 1, 0, 1, 0, 1])
    assert positional_encoding(4, 5).shape == (4, 5) and positional_encoding(4, 5).dtype == np.float32
    odd = positional_encoding(4, 5, np.float64)                        # odd d: three sin columns, two cos
    for j in range(5):
        wave = np.sin if j % 2 == 0 else np.cos
        np.testing.assert_allclose(odd[:, j], wave(np.arange(4) / 10000 ** ((j - j % 2) / 5)), rtol=1e-12,
                                   atol=1e-15)


def test_positional_encoding_layer_adds_pe_and_passes_dout_through():
    layer = PositionalEncoding(10, D, np.float64)
    x = normal(N, 7, D)
    np.testing.assert_allclose(layer.forward(x), x + positional_encoding(10, D, np.float64)[:7])
    errors = layer_errors(layer, x)
    assert max(errors.values()) < 1e-7, errors
    with pytest.raises(ValueError, match=r"PositionalEncoding.forward.*max_len = 10"):
        layer.forward(normal(N, 11, D))


def test_self_attention_without_positional_encoding_is_permutation_equivariant_and_with_it_not():
    x, perm = normal(N, 6, D), np.array([3, 0, 5, 1, 4, 2])
    block = TransformerEncoderBlock(D, HEADS, 16, dtype=np.float64)
    randomise(block.params, 0.3)
    self_attention = SelfAttention(D, HEADS, dtype=np.float64)
    for layer in (block, self_attention):
        np.testing.assert_allclose(layer.forward(x[:, perm]), layer.forward(x)[:, perm], rtol=1e-10, atol=1e-12)
    pe = PositionalEncoding(6, D, np.float64)
    permuted, original = block.forward(pe.forward(x[:, perm])), block.forward(pe.forward(x))[:, perm]
    assert np.max(np.abs(permuted - original)) > 1e-2


# --- Transformer encoder block ------------------------------------------------------------------------------

@pytest.mark.parametrize("norm", ["post", "pre"])
@pytest.mark.parametrize("mask", [None, "padding", "causal"])
def test_transformer_encoder_block_backward_matches_numerical_gradient(norm, mask):
    block = TransformerEncoderBlock(D, HEADS, 12, dtype=np.float64, norm=norm)
    randomise(block.params, 0.4)
    x, g = normal(N, TK, D), normal(N, TK, D)
    m = {None: None, "padding": pad_mask(), "causal": causal_mask(TK)}[mask]
    check_gradients(*layer_gradients(block, (x,), lambda x_: block.forward(x_, m), g), [x] + block.params,
                    zero=(1 + 3,))
    assert block.weights.shape == (N, HEADS, TK, TK)
    assert len(block.params) == 8 + 2 + 4 + 2


def test_post_norm_block_output_is_layer_normalised_and_pre_norm_keeps_the_residual():
    x = normal(N, TK, D)
    y = TransformerEncoderBlock(D, HEADS, 12, dtype=np.float64).forward(x)
    np.testing.assert_allclose(y.mean(axis=2), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=2), 1, rtol=1e-4)
    pre = TransformerEncoderBlock(D, HEADS, 12, dtype=np.float64, norm="pre")
    for p in pre.attention.params[6:] + pre.ffn.params[2:]:           # zero W_O, b_O and the last affine layer
        p[...] = 0
    np.testing.assert_allclose(pre.forward(x), x)


# --- seq2seq with attention -----------------------------------------------------------------------------------

V_SIZE, E, H, T_IN, T_OUT = 7, 5, 4, 4, 3


def test_attention_decoder_backward_matches_numerical_gradient_for_hs_enc_and_every_parameter():
    decoder = attention_seq2seq.AttentionDecoder(V_SIZE, E, H, dtype=np.float64)
    randomise(decoder.params)
    ys, hs_enc = RNG.integers(0, V_SIZE, (N, T_OUT)), normal(N, T_IN, H)
    g = normal(N, T_OUT, V_SIZE)
    for mask in (None, pad_mask()):
        check_gradients(*layer_gradients(decoder, (ys, hs_enc), lambda y, h: decoder.forward(y, h, mask), g),
                        [hs_enc] + decoder.params)
    assert decoder.weights.shape == (N, T_OUT, T_IN) and np.all(decoder.weights[0, :, 2:] == 0)


def test_attention_seq2seq_loss_gradient_matches_numerical_gradient_with_padding():
    model = attention_seq2seq.AttentionSeq2Seq(V_SIZE, E, H, ignore_label=0, pad_id=0, dtype=np.float64)
    randomise(model.params)
    xs, ts = RNG.integers(1, V_SIZE, (3, T_IN)), RNG.integers(1, V_SIZE, (3, T_OUT + 1))
    xs[0, 2:], ts[0, 3:] = 0, 0
    loss, grads = model.loss_and_gradient(xs, ts)
    analytic = [g.copy() for g in grads]
    for a, p in zip(analytic, model.params):
        assert relative_error(a, parameter_gradient(lambda: model.forward(xs, ts), p)) < 1e-7
    assert model.loss(xs, ts) == pytest.approx(loss)
    assert np.all(model.weights[0, :, 2:] == 0)


def test_encode_returns_every_state_of_the_seq2seq_encoder():
    encoder = seq2seq.Encoder(V_SIZE, E, H, dtype=np.float64)
    xs = RNG.integers(0, V_SIZE, (N, T_IN))
    hs = attention_seq2seq.encode(encoder, xs)
    assert hs.shape == (N, T_IN, H)
    np.testing.assert_allclose(hs[:, -1], encoder.forward(xs))


def test_greedy_generation_feeds_back_the_argmax_and_keeps_the_weights():
    model = attention_seq2seq.AttentionSeq2Seq(V_SIZE, E, H, dtype=np.float64, seed=2)
    randomise(model.params, 1.0)
    xs = RNG.integers(0, V_SIZE, (3, T_IN))
    out = model.generate(xs, 1, 5)
    assert out.shape == (3, 5) and model.weights.shape == (3, 5, T_IN)
    generated_weights = model.weights.copy()
    ts = np.concatenate([np.ones((3, 1), int), out], axis=1)
    np.testing.assert_array_equal(model.predict(xs, ts).argmax(axis=2), out)
    np.testing.assert_allclose(model.weights, generated_weights, rtol=1e-10)


# --- dtypes, dout, errors ---------------------------------------------------------------------------------------

def test_float32_stays_float32_and_dout_is_not_modified():
    x = normal(N, TK, D).astype(np.float32)
    for layer in (SelfAttention(D, HEADS), TransformerEncoderBlock(D, HEADS, 12),
                  TransformerEncoderBlock(D, HEADS, 12, norm="pre"), PositionalEncoding(10, D)):
        y = layer.forward(x)
        dout = normal(*y.shape).astype(np.float32)
        kept = dout.copy()
        dx = layer.backward(dout)
        assert y.dtype == dx.dtype == np.float32 and all(g.dtype == np.float32 for g in layer.grads)
        np.testing.assert_array_equal(dout, kept)
    Q = normal(N, TQ, DK).astype(np.float32)
    sdpa = ScaledDotProductAttention()
    assert sdpa.forward(Q, Q, Q, causal_mask(TQ)).dtype == np.float32
    assert all(d.dtype == np.float32 for d in sdpa.backward(np.ones((N, TQ, DK), np.float32)))
    model = attention_seq2seq.AttentionSeq2Seq(V_SIZE, E, H)
    xs = RNG.integers(0, V_SIZE, (N, T_IN))
    loss, grads = model.loss_and_gradient(xs, xs)
    assert np.isfinite(loss) and all(g.dtype == np.float32 for g in grads)


Q3 = normal(N, TQ, DK)


@pytest.mark.parametrize("call, error, message", [
    (lambda: ScaledDotProductAttention().forward(Q3, normal(N, TK, DK + 1), normal(N, TK, DV)), ValueError,
     r"ScaledDotProductAttention.forward: expected Q .* got \(2, 3, 5\), \(2, 4, 6\)"),
    (lambda: ScaledDotProductAttention().forward(Q3, Q3, Q3.astype(np.float32)), TypeError, "one dtype"),
    (lambda: ScaledDotProductAttention().forward(Q3, Q3, Q3, np.ones((TQ, TQ))), TypeError, "boolean"),
    (lambda: ScaledDotProductAttention().forward(Q3, Q3, Q3, np.ones((4, 4), bool)), ValueError,
     r"mask of shape \(4, 4\) does not broadcast to the scores \(2, 3, 3\)"),
    (lambda: ScaledDotProductAttention().backward(Q3), RuntimeError, "call forward first"),
    (lambda: MultiHeadAttention(D, 3), ValueError, "num_heads=3 must divide d_model=8"),
    (lambda: MultiHeadAttention(D, HEADS).forward(Q3, Q3, Q3), ValueError,
     r"MultiHeadAttention.forward: query must be .*\(N, T, 8\), got float64 \(2, 3, 5\)"),
    (lambda: MultiHeadAttention(D, HEADS).forward(normal(N, TQ, D), normal(N, TK, D), normal(N, TK, D),
                                                  causal_mask(TK)), ValueError,
     r"MultiHeadAttention.forward: mask of shape \(4, 4\) does not broadcast to the scores \(2, 2, 3, 4\)"),
    (lambda: MultiHeadAttention(D, HEADS).backward(normal(N, TQ, D)), RuntimeError, "MultiHeadAttention.backward"),
    (lambda: TransformerEncoderBlock(D, HEADS, 12, norm="middle"), ValueError, "norm must be 'post' or 'pre'"),
    (lambda: causal_mask(0), ValueError, "causal_mask: T must be an integer ≥ 1"),
    (lambda: padding_mask(np.ones((2, 3)), 0), ValueError, "padding_mask: ids must be integer ids"),
    (lambda: attention_seq2seq.AttentionDecoder(V_SIZE, E, H).forward(np.zeros((N, 3), int), normal(N, T_IN, H + 1)),
     ValueError, r"AttentionDecoder.forward: hs_enc must be the encoder's states"),
])
def test_bad_input_is_rejected_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_wrong_dout_is_rejected():
    layer = SelfAttention(D, HEADS)
    layer.forward(normal(N, TK, D).astype(np.float32))
    with pytest.raises(ValueError, match=r"MultiHeadAttention.backward: dout must have the shape .*\(2, 4, 8\)"):
        layer.backward(np.ones((N, TK, D + 1), np.float32))


# --- PyTorch's twins (optional) -----------------------------------------------------------------------------------

def test_scaled_dot_product_attention_equals_torch_with_a_mask():
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    Q, K, V = normal(N, HEADS, TQ, DK), normal(N, HEADS, TK, DK), normal(N, HEADS, TK, DV)
    mask, g = pad_mask()[:, None] & causal_mask(4)[1:], normal(N, HEADS, TQ, DV)
    layer = ScaledDotProductAttention()
    out = layer.forward(Q, K, V, mask)
    ours = layer.backward(g)
    tensors = [torch.tensor(a, requires_grad=True) for a in (Q, K, V)]
    theirs = torch.nn.functional.scaled_dot_product_attention(*tensors, attn_mask=torch.tensor(mask))
    theirs.backward(torch.tensor(g))                                    # torch's bool mask: True = takes part too
    np.testing.assert_allclose(out, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    for a, t in zip(ours, tensors):
        np.testing.assert_allclose(a, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_a_fully_masked_row_is_zero_like_torch_sdpa_while_torch_softmax_gives_nan():
    """The docstring's comparison: F.scaled_dot_product_attention (2.13) returns 0 there, torch.softmax NaN."""
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    Q, K, V = normal(N, TQ, DK), normal(N, TK, DK), normal(N, TK, DV)
    mask = np.ones((N, TQ, TK), dtype=bool)
    mask[0, 1] = False
    out, _ = scaled_dot_product_attention(Q, K, V, mask)
    theirs = torch.nn.functional.scaled_dot_product_attention(*(torch.tensor(a) for a in (Q, K, V)),
                                                              attn_mask=torch.tensor(mask)).numpy()
    np.testing.assert_allclose(out, theirs, rtol=1e-10, atol=1e-12)
    assert np.all(theirs[0, 1] == 0)
    assert torch.isnan(torch.softmax(torch.full((TK,), -float("inf")), dim=0)).all()


@pytest.mark.parametrize("masking", ["none", "causal", "padding"])
def test_multi_head_attention_equals_torch_multihead_attention(masking):
    """torch packs in_proj_weight = [W_Q; W_K; W_V] (3d, d) acting as x Wᵀ: our W_Q = in_proj_weight[:d]ᵀ.
    torch's boolean attn_mask and key_padding_mask mark what may NOT be attended: the negation of ours."""
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    torch.manual_seed(0)
    module = torch.nn.MultiheadAttention(D, HEADS, batch_first=True).double()
    with torch.no_grad():
        module.in_proj_bias.normal_()
        module.out_proj.bias.normal_()
    layer = MultiHeadAttention(D, HEADS, dtype=np.float64)
    Wi, bi = module.in_proj_weight.detach().numpy(), module.in_proj_bias.detach().numpy()
    for j in range(3):
        layer.params[2 * j][...] = Wi[j * D:(j + 1) * D].T
        layer.params[2 * j + 1][...] = bi[j * D:(j + 1) * D]
    layer.params[6][...] = module.out_proj.weight.detach().numpy().T
    layer.params[7][...] = module.out_proj.bias.detach().numpy()
    q, k, v, g = normal(N, TQ, D), normal(N, TK, D), normal(N, TK, D), normal(N, TQ, D)
    ids = np.array([[3, 1, 0, 0], [2, 4, 1, 5]])
    ours_mask = {"none": None, "causal": causal_mask(4)[1:], "padding": padding_mask(ids, 0)}[masking]
    options = {"causal": {"attn_mask": torch.tensor(~causal_mask(4)[1:])},
               "padding": {"key_padding_mask": torch.tensor(ids == 0)}}.get(masking, {})
    out = layer.forward(q, k, v, ours_mask)
    dq, dk, dv = layer.backward(g)
    tensors = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    theirs, weights = module(*tensors, need_weights=True, average_attn_weights=False, **options)
    theirs.backward(torch.tensor(g))
    close = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out, theirs.detach().numpy(), **close)
    np.testing.assert_allclose(layer.weights, weights.detach().numpy(), **close)
    for a, t in zip((dq, dk, dv), tensors):
        np.testing.assert_allclose(a, t.grad.numpy(), **close)
    dWi, dbi = module.in_proj_weight.grad.numpy(), module.in_proj_bias.grad.numpy()
    for j in range(3):
        np.testing.assert_allclose(layer.grads[2 * j], dWi[j * D:(j + 1) * D].T, **close)
        np.testing.assert_allclose(layer.grads[2 * j + 1], dbi[j * D:(j + 1) * D], **close)
    np.testing.assert_allclose(layer.grads[6], module.out_proj.weight.grad.numpy().T, **close)
    np.testing.assert_allclose(layer.grads[7], module.out_proj.bias.grad.numpy(), **close)
