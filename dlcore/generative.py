"""Pieces of generative models (生成モデル): the VAE and vector quantisation, with explicit forward and backward.

- ``Reparameterize`` (再パラメータ化トリック): z = μ + σ ⊙ ε with σ = exp(½ log σ²) and ε ~ N(0, I).  The
  randomness lives in ε, an input that no parameter changes, so z is a differentiable function of μ and log σ²:
  ∂z/∂μ = 1, ∂z/∂log σ² = ½ σ ⊙ ε.
- ``gaussian_kl`` / ``gaussian_kl_backward``: KL(N(μ, diag σ²) ‖ N(0, I)) = −½ Σ_j (1 + log σ²_j − μ_j² − σ²_j) per
  sample, and its gradient (μ, ½(σ² − 1)).
- ``VAELoss``: reconstruction (the binary cross-entropy summed over pixels, from the decoder's logits) + β·KL,
  averaged over the batch (DESIGN's convention).  With grey-level targets x ∈ (0, 1) the cross-entropy cannot reach
  0: its minimum is the targets' own entropy −Σ [x log x + (1 − x) log(1 − x)].
- ``VAE``: encoder D → H → (μ, log σ²) of size L, ``Reparameterize``, decoder L → H → D logits; trains with
  ``training.Trainer(..., metric=None)``.
- ``VectorQuantizer`` (ベクトル量子化, VQ-VAE): each encoder output z_e is replaced by its nearest codebook vector
  e_k; the backward copies the gradient straight through (straight-through estimator) and adds the codebook and
  commitment losses' gradients.
"""

import numpy as np

from . import initializers
from .layers import Affine, Relu, _check_dout, _check_loss_dout
from .time_layers import _describe

__all__ = ["Reparameterize", "gaussian_kl", "gaussian_kl_backward", "VAELoss", "VAE", "VectorQuantizer"]


def _check_pair(owner, mu, logvar):
    """μ and log σ² as float arrays of one shape (N, L)."""
    for name, a in (("mu", mu), ("logvar", logvar)):
        if not isinstance(a, np.ndarray) or a.dtype.kind != "f" or a.ndim != 2 or 0 in a.shape:
            raise TypeError(f"{owner}: {name} must be a non-empty float array (N, L), got {_describe(a)}")
    if mu.shape != logvar.shape:
        raise ValueError(f"{owner}: mu and logvar must have one shape (N, L), got {mu.shape} and {logvar.shape}")


class Reparameterize:
    """z = μ + σ ⊙ ε, σ = exp(½ log σ²); ``forward(mu, logvar, eps=None)`` draws ε ~ N(0, I) when not given.

    ``backward(dz)`` → (∂L/∂μ, ∂L/∂log σ²) = (dz, dz ⊙ ε ⊙ σ / 2); the ε used is kept as ``eps``.
    """

    def __init__(self, seed=None):
        self.params, self.grads = [], []
        self.rng = np.random.default_rng(seed)
        self.eps = self.sigma = None

    def forward(self, mu, logvar, eps=None):
        _check_pair("Reparameterize.forward", mu, logvar)
        if eps is None:
            eps = self.rng.standard_normal(mu.shape).astype(mu.dtype)
        elif not isinstance(eps, np.ndarray) or eps.shape != mu.shape:
            raise ValueError(f"Reparameterize.forward: eps must be an array of the shape of mu {mu.shape}, "
                             f"got {_describe(eps)}")
        self.eps, self.sigma = eps, np.exp(0.5 * logvar)
        return mu + self.sigma * eps

    def backward(self, dz):
        _check_dout("Reparameterize", dz, None if self.eps is None else self.eps.shape)
        return dz, 0.5 * dz * self.eps * self.sigma


def gaussian_kl(mu, logvar):
    """KL(N(μ, diag σ²) ‖ N(0, I)) of every sample, shape (N,): −½ Σ_j (1 + log σ²_j − μ_j² − σ²_j)."""
    _check_pair("gaussian_kl", mu, logvar)
    return -0.5 * np.sum(1 + logvar - mu ** 2 - np.exp(logvar), axis=1)


def gaussian_kl_backward(mu, logvar):
    """∂KL/∂μ = μ and ∂KL/∂log σ² = ½(σ² − 1), per sample (the gradient of each sample's own KL)."""
    _check_pair("gaussian_kl_backward", mu, logvar)
    return mu, 0.5 * (np.exp(logvar) - 1)


class VAELoss:
    """L = (1/N) Σ_n [Σ_pixels BCE(x_n, σ(s_n)) + β KL_n]; ``forward(logits, x, mu, logvar)`` → L.

    BCE from the logits s: log(1 + eˢ) − x s (no overflow, no 1e-7).  ``reconstruction`` and ``kl`` hold the two
    batch means.  ``backward()`` → (∂L/∂s, ∂L/∂μ, ∂L/∂log σ²) = ((σ(s) − x)/N, β μ/N, β(σ² − 1)/(2N)).
    """

    def __init__(self, beta=1.0):
        if not np.isscalar(beta) or isinstance(beta, bool) or not beta >= 0:
            raise ValueError(f"VAELoss: beta must be a number ≥ 0, got {beta!r}")
        self.beta = beta
        self.params, self.grads = [], []
        self.cache = None
        self.reconstruction = self.kl = None

    def forward(self, logits, x, mu, logvar):
        name = "VAELoss.forward"
        _check_pair(name, mu, logvar)
        if not isinstance(logits, np.ndarray) or logits.dtype.kind != "f" or logits.ndim != 2:
            raise TypeError(f"{name}: logits must be a float array (N, D), got {_describe(logits)}")
        x = np.asarray(x)
        if x.shape != logits.shape or len(x) != len(mu):
            raise ValueError(f"{name}: expected x and logits of one shape (N, D) and mu (N, L), got x {x.shape}, "
                             f"logits {logits.shape} and mu {mu.shape}")
        if np.any(x < 0) or np.any(x > 1):
            raise ValueError(f"{name}: the targets x must lie in [0, 1] (grey levels), got values from "
                             f"{x.min()} to {x.max()}")
        n = len(x)
        self.reconstruction = float(np.sum(np.logaddexp(0, logits) - x * logits) / n)
        self.kl = float(np.sum(gaussian_kl(mu, logvar)) / n)
        self.cache = (logits, x.astype(logits.dtype, copy=False), mu, logvar)
        return self.reconstruction + self.beta * self.kl

    def backward(self, dout=1.0):
        _check_loss_dout("VAELoss", self.cache, dout)
        logits, x, mu, logvar = self.cache
        n = len(x)
        dmu, dlogvar = gaussian_kl_backward(mu, logvar)
        scale = dout * self.beta / n
        return dout * (1 / (1 + np.exp(-logits)) - x) / n, scale * dmu, scale * dlogvar


class VAE:
    """A variational autoencoder (変分オートエンコーダ) for inputs in [0, 1] of size D.

    Encoder: h = ReLU(x W₁ + b₁) (H units), [μ, log σ²] = h W₂ + b₂ (2L); z = μ + σ ⊙ ε; decoder:
    ReLU(z W₃ + b₃) W₄ + b₄ → logits (D), image = σ(logits).  He weights before a ReLU, Xavier otherwise.
    ``loss_and_gradient(x, t)`` (t is ignored: the target is x itself) is what ``Trainer`` calls; ``loss_layer``
    (``VAELoss``) keeps the last batch's ``reconstruction`` and ``kl``.  ``encode(x)`` → (μ, log σ²),
    ``decode(z)`` → images, ``reconstruct(x)`` → decode(μ) (no noise).
    """

    def __init__(self, input_size, hidden_size, latent_size, beta=1.0, seed=0, dtype=np.float32):
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("latent_size", latent_size)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"VAE: {name} must be an integer ≥ 1, got {value!r}")
        rng = np.random.default_rng(seed)

        def affine(n_in, n_out, init):
            return Affine(init(n_in, n_out, rng, dtype=dtype), np.zeros(n_out, dtype))

        self.latent_size = latent_size
        self.encoder = [affine(input_size, hidden_size, initializers.he), Relu(),
                        affine(hidden_size, 2 * latent_size, initializers.xavier)]
        self.decoder = [affine(latent_size, hidden_size, initializers.he), Relu(),
                        affine(hidden_size, input_size, initializers.xavier)]
        self.sampler = Reparameterize(seed=[seed, 1])
        self.loss_layer = VAELoss(beta)
        self.layers = self.encoder + self.decoder
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]

    def _check(self, owner, x):
        size = self.encoder[0].params[0].shape[0]
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f" or x.ndim != 2 or x.shape[1] != size or not len(x):
            raise ValueError(f"{owner}: x must be a non-empty float array (N, {size}), got {_describe(x)}")
        return x

    def encode(self, x):
        h = self._check("VAE.encode", x)
        for layer in self.encoder:
            h = layer.forward(h)
        return h[:, :self.latent_size], h[:, self.latent_size:]

    def _logits(self, z):
        for layer in self.decoder:
            z = layer.forward(z)
        return z

    def decode(self, z):
        """Images σ(logits) (N, D) for latent codes z (N, L)."""
        if not isinstance(z, np.ndarray) or z.ndim != 2 or z.shape[1] != self.latent_size:
            raise ValueError(f"VAE.decode: z must be an array (N, {self.latent_size}), got {_describe(z)}")
        dtype = self.params[0].dtype
        return 1 / (1 + np.exp(-self._logits(z.astype(dtype, copy=False))))

    def reconstruct(self, x):
        return self.decode(self.encode(x)[0])

    def loss(self, x, t=None, train=False):
        """The loss (reconstruction + β·KL) of a batch with one fresh ε."""
        mu, logvar = self.encode(x)
        return self.loss_layer.forward(self._logits(self.sampler.forward(mu, logvar)), x, mu, logvar)

    def loss_and_gradient(self, x, t=None):
        loss = self.loss(x)
        dlogits, dmu, dlogvar = self.loss_layer.backward()
        for layer in reversed(self.decoder):
            dlogits = layer.backward(dlogits)
        dz_mu, dz_logvar = self.sampler.backward(dlogits)
        dh = np.concatenate([dmu + dz_mu, dlogvar + dz_logvar], axis=1)
        for layer in reversed(self.encoder):
            dh = layer.backward(dh)
        return loss, self.grads


class VectorQuantizer:
    """Vector quantisation: z_q = e_k with k = argmin_j ‖z_e − e_j‖², over the last axis of z_e (…, D).

    ``forward(z_e)`` → z_q, with the chosen ``indices`` and ``loss`` = ‖sg[z_e] − z_q‖² + β ‖z_e − sg[z_q]‖²
    (squared norms averaged over the M vectors; sg = stop-gradient): the codebook loss moves the codes toward the
    encoder outputs, the commitment loss keeps the encoder near its codes.  ``backward(dout)``: argmin has no
    gradient, so dout is copied straight through to z_e (straight-through estimator) and the commitment loss adds
    2β(z_e − z_q)/M; the codebook's gradient 2(z_q − z_e)/M is summed into the rows that were chosen.
    ``params`` = [codebook (K, D)].
    """

    def __init__(self, codebook, beta=0.25):
        if not isinstance(codebook, np.ndarray) or codebook.dtype.kind != "f" or codebook.ndim != 2 \
                or 0 in codebook.shape:
            raise TypeError(f"VectorQuantizer: codebook must be a float array (K, D), got {_describe(codebook)}")
        if not np.isscalar(beta) or isinstance(beta, bool) or not beta >= 0:
            raise ValueError(f"VectorQuantizer: beta must be a number ≥ 0, got {beta!r}")
        self.params, self.grads = [codebook], [np.zeros_like(codebook)]
        self.beta = beta
        self.cache = self.indices = self.loss = None

    def forward(self, z_e):
        codebook = self.params[0]
        if not isinstance(z_e, np.ndarray) or z_e.dtype.kind != "f" or z_e.ndim < 1 \
                or z_e.shape[-1] != codebook.shape[1] or not z_e.size:
            raise ValueError(f"VectorQuantizer.forward: z_e must be a float array (…, {codebook.shape[1]}), "
                             f"got {_describe(z_e)}")
        rows = z_e.reshape(-1, codebook.shape[1])
        distances = (rows ** 2).sum(axis=1, keepdims=True) - 2 * rows @ codebook.T + (codebook ** 2).sum(axis=1)
        self.indices = distances.argmin(axis=1).reshape(z_e.shape[:-1])
        z_q = codebook[self.indices].astype(z_e.dtype, copy=False)
        squared = float(np.sum((z_e - z_q) ** 2) / len(rows))
        self.loss = (1 + self.beta) * squared
        self.cache = (z_e, z_q, len(rows))
        return z_q

    def backward(self, dout):
        z_e, z_q, m = (None, None, 1) if self.cache is None else self.cache
        _check_dout("VectorQuantizer", dout, None if z_e is None else z_e.shape)
        grad = self.grads[0]
        grad[...] = 0
        np.add.at(grad, self.indices.ravel(), (2 * (z_q - z_e) / m).reshape(-1, grad.shape[1]))
        return dout + 2 * self.beta * (z_e - z_q) / m
