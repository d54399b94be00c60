"""dlcore.generative: reparameterisation, the Gaussian KL, the VAE loss and model, vector quantisation."""

import numpy as np
import pytest

from dlcore import generative, optimizers, training
from dlcore.gradcheck import numerical_gradient, relative_error


def _mu_logvar(rng, n=4, latent=3):
    return rng.normal(size=(n, latent)), rng.normal(scale=0.5, size=(n, latent))


def test_reparameterize_backward_matches_numerical_gradient():
    rng = np.random.default_rng(0)
    mu, logvar = _mu_logvar(rng)
    eps, weight = rng.normal(size=mu.shape), rng.normal(size=mu.shape)
    layer = generative.Reparameterize()
    layer.forward(mu, logvar, eps)
    dmu, dlogvar = layer.backward(weight)

    def loss(m, lv):
        return np.sum(weight * generative.Reparameterize().forward(m, lv, eps))

    assert relative_error(dmu, numerical_gradient(lambda m: loss(m, logvar), mu)) < 1e-7
    assert relative_error(dlogvar, numerical_gradient(lambda lv: loss(mu, lv), logvar)) < 1e-7


def test_reparameterized_samples_have_mean_mu_and_variance_sigma_squared():
    mu, logvar = np.array([[1.5, -2.0]]), np.array([[np.log(0.25), np.log(4.0)]])
    layer = generative.Reparameterize(seed=0)
    z = np.concatenate([layer.forward(mu, logvar) for _ in range(20000)])
    np.testing.assert_allclose(z.mean(axis=0), mu[0], atol=0.03)
    np.testing.assert_allclose(z.var(axis=0), [0.25, 4.0], rtol=0.03)


def test_gaussian_kl_is_the_closed_form_and_agrees_with_monte_carlo():
    rng = np.random.default_rng(1)
    mu, logvar = _mu_logvar(rng, n=2, latent=2)
    kl = generative.gaussian_kl(mu, logvar)
    sigma = np.exp(0.5 * logvar)
    z = mu + sigma * rng.standard_normal((200000, *mu.shape))     # samples of q(z | x) for both rows
    log_q = np.sum(-0.5 * ((z - mu) / sigma) ** 2 - np.log(sigma), axis=2)
    log_p = np.sum(-0.5 * z ** 2, axis=2)                          # the 1/√(2π) terms cancel
    np.testing.assert_allclose(np.mean(log_q - log_p, axis=0), kl, rtol=0.02)
    assert generative.gaussian_kl(np.zeros((1, 3)), np.zeros((1, 3)))[0] == 0
    assert np.all(generative.gaussian_kl(*_mu_logvar(rng, 50, 4)) > 0)


def test_gaussian_kl_backward_matches_numerical_gradient():
    mu, logvar = _mu_logvar(np.random.default_rng(2))
    dmu, dlogvar = generative.gaussian_kl_backward(mu, logvar)
    total = generative.gaussian_kl
    assert relative_error(dmu, numerical_gradient(lambda m: total(m, logvar).sum(), mu)) < 1e-7
    assert relative_error(dlogvar, numerical_gradient(lambda lv: total(mu, lv).sum(), logvar)) < 1e-7


def test_vae_loss_backward_matches_numerical_gradient_and_its_parts():
    rng = np.random.default_rng(3)
    mu, logvar = _mu_logvar(rng)
    logits, x = rng.normal(size=(4, 6)), rng.uniform(size=(4, 6))
    layer = generative.VAELoss(beta=2.5)
    loss = layer.forward(logits, x, mu, logvar)
    assert loss == pytest.approx(layer.reconstruction + 2.5 * layer.kl)
    assert layer.kl == pytest.approx(generative.gaussian_kl(mu, logvar).mean())
    y = 1 / (1 + np.exp(-logits))
    assert layer.reconstruction == pytest.approx(-np.sum(x * np.log(y) + (1 - x) * np.log(1 - y)) / 4)
    grads = layer.backward()
    for k, value in enumerate((logits, mu, logvar)):
        def f(v, k=k):
            args = [logits, mu, logvar]
            args[k] = v
            return generative.VAELoss(beta=2.5).forward(args[0], x, args[1], args[2])
        assert relative_error(grads[k], numerical_gradient(f, value)) < 1e-7


def test_the_reconstruction_of_grey_targets_cannot_reach_zero():
    x = np.array([[0.0, 0.25, 0.5, 1.0]])
    logits = np.log(np.clip(x, 1e-12, None)) - np.log(np.clip(1 - x, 1e-12, None))   # σ(logits) = x: the best
    layer = generative.VAELoss()
    layer.forward(logits, x, np.zeros((1, 1)), np.zeros((1, 1)))
    inner = x[0, 1:3]
    entropy = -np.sum(inner * np.log(inner) + (1 - inner) * np.log(1 - inner))
    assert layer.reconstruction == pytest.approx(entropy, rel=1e-6) and entropy > 1
    assert layer.kl == 0


def _seeded_loss(vae, x):
    vae.sampler.rng = np.random.default_rng(7)                     # the same ε on every call
    return vae.loss(x)


def test_vae_gradient_matches_numerical_gradient_for_every_parameter():
    vae = generative.VAE(5, 4, 2, beta=0.7, seed=0, dtype=np.float64)
    x = np.random.default_rng(4).uniform(size=(3, 5))
    vae.sampler.rng = np.random.default_rng(7)
    loss, grads = vae.loss_and_gradient(x)
    assert loss == pytest.approx(_seeded_loss(vae, x))
    for param, grad in zip(vae.params, grads):
        assert relative_error(grad, numerical_gradient(lambda p, param=param: _set_and_loss(vae, x, param, p),
                                                       param.copy())) < 1e-6


def _set_and_loss(vae, x, param, value):
    saved = param.copy()
    param[...] = value
    loss = _seeded_loss(vae, x)
    param[...] = saved
    return loss


def test_trainer_trains_a_vae_on_digits_shapes():
    x = np.random.default_rng(5).uniform(size=(200, 16)).round().astype(np.float32)
    vae = generative.VAE(16, 32, 2, seed=0)
    before = vae.loss(x)
    history = training.Trainer(vae, optimizers.Adam(lr=0.01), batch_size=50, epochs=20, metric=None,
                               progress=False).fit(x, x)
    assert history["loss"][-1] < 0.8 * before
    assert vae.params[0].dtype == np.float32 and vae.reconstruct(x).dtype == np.float32
    assert vae.decode(np.zeros((3, 2))).shape == (3, 16)
    mu, logvar = vae.encode(x[:4])
    assert mu.shape == logvar.shape == (4, 2)


def test_vector_quantizer_picks_the_nearest_code_and_passes_the_gradient_straight_through():
    codebook = np.array([[0.0, 0.0], [1.0, 1.0], [-2.0, 0.5]])
    z_e = np.array([[[0.1, -0.1], [0.9, 1.2]], [[-1.5, 0.4], [0.2, 0.1]]])     # (2, 2, D): any leading axes
    vq = generative.VectorQuantizer(codebook.copy(), beta=0.25)
    z_q = vq.forward(z_e)
    np.testing.assert_array_equal(vq.indices, [[0, 1], [2, 0]])
    np.testing.assert_array_equal(z_q, codebook[vq.indices])
    squared = np.sum((z_e - z_q) ** 2) / 4
    assert vq.loss == pytest.approx(1.25 * squared)
    dout = np.random.default_rng(6).normal(size=z_e.shape)
    dz_e = vq.backward(dout)

    def commitment(z):                                              # β‖z_e − sg[e]‖², the codes held fixed
        return 0.25 * np.sum((z - z_q) ** 2) / 4

    def codebook_loss(book):                                        # ‖sg[z_e] − e‖², the encoder held fixed
        return np.sum((z_e - book[vq.indices]) ** 2) / 4

    assert relative_error(dz_e - dout, numerical_gradient(commitment, z_e.copy())) < 1e-7
    assert relative_error(vq.grads[0], numerical_gradient(codebook_loss, codebook.copy())) < 1e-7
    np.testing.assert_allclose(vq.grads[0][0], 2 * (2 * codebook[0] - z_e[0, 0] - z_e[1, 1]) / 4)   # two uses, summed


def test_float32_stays_float32_and_inputs_are_not_modified():
    rng = np.random.default_rng(8)
    mu, logvar = (a.astype(np.float32) for a in _mu_logvar(rng))
    copies = mu.copy(), logvar.copy()
    layer = generative.Reparameterize(seed=0)
    z = layer.forward(mu, logvar)
    dz = np.ones_like(z)
    assert z.dtype == np.float32 and all(g.dtype == np.float32 for g in layer.backward(dz))
    assert np.all(dz == 1) and np.array_equal(mu, copies[0]) and np.array_equal(logvar, copies[1])
    vq = generative.VectorQuantizer(rng.normal(size=(5, 3)).astype(np.float32))
    assert vq.forward(mu).dtype == np.float32 and vq.backward(np.ones_like(mu)).dtype == np.float32


@pytest.mark.parametrize("call, error, message", [
    (lambda: generative.Reparameterize().forward(np.zeros((2, 3)), np.zeros((2, 2))), ValueError,
     r"Reparameterize.forward: mu and logvar must have one shape \(N, L\), got \(2, 3\) and \(2, 2\)"),
    (lambda: generative.Reparameterize().forward(np.zeros((2, 3), int), np.zeros((2, 3))), TypeError,
     "Reparameterize.forward: mu must be a non-empty float array"),
    (lambda: generative.Reparameterize().forward(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros(3)), ValueError,
     "Reparameterize.forward: eps must be an array of the shape of mu"),
    (lambda: generative.Reparameterize().backward(np.zeros((2, 3))), RuntimeError,
     "Reparameterize.backward: call forward first"),
    (lambda: generative.gaussian_kl(np.zeros(3), np.zeros(3)), TypeError, r"gaussian_kl: mu must be .* \(N, L\)"),
    (lambda: generative.VAELoss(beta=-1), ValueError, "VAELoss: beta must be a number ≥ 0"),
    (lambda: generative.VAELoss().forward(np.zeros((2, 4)), np.full((2, 4), 2.0), np.zeros((2, 1)),
                                          np.zeros((2, 1))), ValueError, r"VAELoss.forward: the targets x must lie"),
    (lambda: generative.VAELoss().forward(np.zeros((2, 4)), np.zeros((2, 3)), np.zeros((2, 1)), np.zeros((2, 1))),
     ValueError, r"VAELoss.forward: expected x and logits of one shape"),
    (lambda: generative.VAELoss().backward(), RuntimeError, "VAELoss.backward: call forward first"),
    (lambda: generative.VAE(64, 0, 2), ValueError, "VAE: hidden_size must be an integer ≥ 1, got 0"),
    (lambda: generative.VAE(4, 3, 2).encode(np.zeros((2, 5))), ValueError, r"VAE.encode: x must be .* \(N, 4\)"),
    (lambda: generative.VAE(4, 3, 2).decode(np.zeros((2, 3))), ValueError, r"VAE.decode: z must be an array \(N, 2\)"),
    (lambda: generative.VectorQuantizer(np.zeros(3)), TypeError, r"VectorQuantizer: codebook must be .* \(K, D\)"),
    (lambda: generative.VectorQuantizer(np.zeros((3, 2))).forward(np.zeros((4, 3))), ValueError,
     r"VectorQuantizer.forward: z_e must be a float array \(…, 2\)"),
    (lambda: generative.VectorQuantizer(np.zeros((3, 2))).backward(np.zeros((4, 2))), RuntimeError,
     "VectorQuantizer.backward: call forward first"),
])
def test_bad_input_is_rejected_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_dout_of_another_shape_is_not_broadcast():
    layer = generative.Reparameterize()
    layer.forward(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"Reparameterize.backward: dout must have the shape .* \(2, 3\)"):
        layer.backward(np.zeros(3))
    vq = generative.VectorQuantizer(np.eye(2))
    vq.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"VectorQuantizer.backward: dout must have the shape"):
        vq.backward(np.zeros((1, 2)))
