"""Data augmentation (データ拡張): random transformations of a batch of images.

Every function takes images of shape (N, H, W) or (N, C, H, W) — the last two
axes are the image — with pixel values in [0, 1], and a NumPy ``Generator``
``rng``; it returns a new array (the input is never changed) and works on the
whole batch at once: each image draws its own random parameters, but no Python
loop runs over images or pixels.  The same seed gives the same batch.

``mixup`` and ``cutmix`` also mix the targets, so they return soft targets for
``SoftmaxWithLoss``; ``Augment`` wraps a transformation as a layer, for
augmentation that is part of the model (training only).
"""

import numpy as np

from .layers import _is_real

RAND_AUGMENT_OPS = ("identity", "shift", "rotate", "shear", "scale", "brightness", "contrast", "noise", "cutout")


def _check_images(func, images):
    if not isinstance(images, np.ndarray) or images.dtype.kind != "f":
        raise TypeError(f"{func}: images must be a float ndarray, got {type(images).__name__} "
                        f"{getattr(images, 'dtype', '')}")
    if images.ndim not in (3, 4):
        raise ValueError(f"{func}: images must have shape (N, H, W) or (N, C, H, W), got {images.shape}; "
                         "reshape flattened images first, e.g. x.reshape(-1, 8, 8)")
    return images


def _check_range(func, name, low, high, value):
    if not (_is_real(value) and low <= value <= high):
        raise ValueError(f"{func}: {name} must be a number in [{low}, {high}], got {value!r}")
    return value


def _per_image(images, values):
    """Reshape per-image values (N,) to broadcast against the images."""
    return np.asarray(values, images.dtype).reshape(-1, *([1] * (images.ndim - 1)))


def _sample(images, src_y, src_x):
    """Bilinear sampling: out[n, ..., i, j] = images[n, ..., src_y[n, i, j], src_x[n, i, j]].

    Coordinates are per image (N, H, W) floats; samples outside the image read 0.
    Integer coordinates reproduce pixels exactly.
    """
    h, w = images.shape[-2:]
    planes = images.reshape(len(images), -1, h, w)                  # (N, C, H, W), C = 1 for (N, H, W)
    batch = np.arange(len(images))[:, None, None]
    y0, x0 = np.floor(src_y).astype(np.intp), np.floor(src_x).astype(np.intp)
    wy, wx = (src_y - y0).astype(images.dtype), (src_x - x0).astype(images.dtype)
    out = np.zeros_like(planes)
    for dy, dx, weight in ((0, 0, (1 - wy) * (1 - wx)), (0, 1, (1 - wy) * wx),
                           (1, 0, wy * (1 - wx)), (1, 1, wy * wx)):
        y, x = y0 + dy, x0 + dx
        inside = (y >= 0) & (y < h) & (x >= 0) & (x < w)
        corner = planes[batch, :, np.clip(y, 0, h - 1), np.clip(x, 0, w - 1)]   # (N, H, W, C)
        out += np.moveaxis(corner * (weight * inside)[..., None], -1, 1)
    return out.reshape(images.shape)


def _grid(images):
    h, w = images.shape[-2:]
    return np.mgrid[0:h, 0:w].astype(np.float64)                    # (2, H, W): row y, column x


def shift(images, max_shift, rng):
    """Move each image by integers dy, dx drawn uniformly from [−max_shift, max_shift]; vacated pixels are 0."""
    _check_images("shift", images)
    if int(max_shift) != max_shift or max_shift < 0:
        raise ValueError(f"shift: max_shift must be an integer ≥ 0 (pixels), got {max_shift!r}")
    n = len(images)
    dy, dx = rng.integers(-max_shift, max_shift + 1, size=(2, n))
    return _translate(images, dy, dx)


def _translate(images, dy, dx):
    y, x = _grid(images)
    return _sample(images, y[None] - np.reshape(dy, (-1, 1, 1)), x[None] - np.reshape(dx, (-1, 1, 1)))


def flip_horizontal(images, rng, p=0.5):
    """Mirror each image left–right with probability p."""
    _check_images("flip_horizontal", images)
    _check_range("flip_horizontal", "p", 0, 1, p)
    flip = _per_image(images, rng.random(len(images)) < p) > 0
    return np.where(flip, images[..., ::-1], images)


def affine(images, rng, degrees=0.0, scale=(1.0, 1.0), shear=0.0, translate=0.0):
    """Random rotation, zoom, shear and translation about the image centre (bilinear, outside pixels 0).

    Per image: an angle uniform in [−degrees, degrees] (positive turns the
    picture counter-clockwise as displayed), a zoom factor uniform in ``scale``,
    a horizontal shear angle uniform in [−shear, shear] degrees and a shift
    uniform in [−translate, translate] pixels on each axis.
    """
    _check_images("affine", images)
    _check_range("affine", "degrees", 0, 180, degrees)
    _check_range("affine", "shear", 0, 80, shear)
    _check_range("affine", "translate", 0, max(images.shape[-2:]), translate)
    if len(scale) != 2 or not 0 < scale[0] <= scale[1]:
        raise ValueError(f"affine: scale must be a range (low, high) with 0 < low ≤ high, got {scale!r}")
    n = len(images)
    return _affine(images, rng.uniform(-degrees, degrees, n), rng.uniform(*scale, n),
                   rng.uniform(-shear, shear, n), rng.uniform(-translate, translate, (2, n)))


def _affine(images, degrees, zoom, shear, shift_yx):
    """Apply p_out = A (p_in − c) + c + t per image, by sampling p_in = A⁻¹ (p_out − c − t) + c.

    In (x, y) with y pointing down, A = R(θ) · S(φ) · zoom with
    R(θ) = [[cos θ, sin θ], [−sin θ, cos θ]] and the shear S(φ) = [[1, tan φ], [0, 1]].
    """
    theta, phi = np.radians(degrees), np.radians(shear)
    cos, sin, zeros, ones = np.cos(theta), np.sin(theta), np.zeros_like(theta), np.ones_like(theta)
    rotation = np.stack([np.stack([cos, sin], -1), np.stack([-sin, cos], -1)], -2)         # (N, 2, 2)
    shearing = np.stack([np.stack([ones, np.tan(phi)], -1), np.stack([zeros, ones], -1)], -2)
    inverse = np.linalg.inv(rotation @ shearing * np.reshape(zoom, (-1, 1, 1)))
    h, w = images.shape[-2:]
    y, x = _grid(images)
    ty, tx = np.reshape(shift_yx[0], (-1, 1, 1)), np.reshape(shift_yx[1], (-1, 1, 1))
    out_x, out_y = x[None] - (w - 1) / 2 - tx, y[None] - (h - 1) / 2 - ty           # p_out − c − t
    a = inverse[:, None, None]                                                        # (N, 1, 1, 2, 2)
    src_x = a[..., 0, 0] * out_x + a[..., 0, 1] * out_y + (w - 1) / 2
    src_y = a[..., 1, 0] * out_x + a[..., 1, 1] * out_y + (h - 1) / 2
    return _sample(images, src_y, src_x)


def brightness_contrast(images, rng, brightness=0.0, contrast=0.0):
    """x ← (x − m)·c + m + b per image, m its mean, c ~ U[1 − contrast, 1 + contrast], b ~ U[−brightness, brightness]; clipped to [0, 1]."""
    _check_images("brightness_contrast", images)
    _check_range("brightness_contrast", "brightness", 0, 1, brightness)
    _check_range("brightness_contrast", "contrast", 0, 1, contrast)
    n = len(images)
    return _brightness_contrast(images, rng.uniform(-brightness, brightness, n),
                                rng.uniform(1 - contrast, 1 + contrast, n))


def _brightness_contrast(images, offset, factor):
    mean = images.mean(axis=tuple(range(1, images.ndim)), keepdims=True)
    out = (images - mean) * _per_image(images, factor) + mean + _per_image(images, offset)
    return np.clip(out, 0, 1)


def gaussian_noise(images, std, rng):
    """Add N(0, std²) to every pixel, clipped to [0, 1]."""
    _check_images("gaussian_noise", images)
    _check_range("gaussian_noise", "std", 0, 1, std)
    return np.clip(images + rng.normal(0, std, images.shape).astype(images.dtype), 0, 1)


def _box_mask(images, top, left, height, width):
    """(N, 1…, H, W) boolean masks of the boxes rows top..top+height−1, columns left..left+width−1."""
    h, w = images.shape[-2:]
    rows, cols = np.arange(h), np.arange(w)
    inside_rows = (rows >= np.reshape(top, (-1, 1))) & (rows < np.reshape(top + height, (-1, 1)))
    inside_cols = (cols >= np.reshape(left, (-1, 1))) & (cols < np.reshape(left + width, (-1, 1)))
    mask = inside_rows[:, :, None] & inside_cols[:, None, :]                         # (N, H, W)
    return mask.reshape(len(mask), *([1] * (images.ndim - 3)), h, w)


def cutout(images, size, rng):
    """Cutout: set a size × size square to 0 in each image.

    The square's centre is uniform over the image, so near the border only part
    of it falls inside (DeVries & Taylor, 2017).
    """
    _check_images("cutout", images)
    h, w = images.shape[-2:]
    if int(size) != size or not 1 <= size <= max(h, w):
        raise ValueError(f"cutout: size must be an integer from 1 to the image size {max(h, w)}, got {size!r}")
    n = len(images)
    top = rng.integers(0, h, n) - size // 2
    left = rng.integers(0, w, n) - size // 2
    return np.where(_box_mask(images, top, left, size, size), images.dtype.type(0), images)


def random_erasing(images, rng, p=0.5, area=(0.02, 0.4), aspect=(0.3, 3.3)):
    """Random Erasing: with probability p per image, fill a random rectangle with uniform noise.

    The rectangle's share of the image is uniform in ``area`` and its aspect
    ratio height/width log-uniform in ``aspect``; it lies inside the image
    (Zhong et al., 2017).
    """
    _check_images("random_erasing", images)
    _check_range("random_erasing", "p", 0, 1, p)
    if not 0 < area[0] <= area[1] <= 1 or not 0 < aspect[0] <= aspect[1]:
        raise ValueError(f"random_erasing: area must be shares (low, high) in (0, 1] and aspect positive "
                         f"ratios (low, high), got {area!r}, {aspect!r}")
    n, (h, w) = len(images), images.shape[-2:]
    share = rng.uniform(*area, n)
    ratio = np.exp(rng.uniform(np.log(aspect[0]), np.log(aspect[1]), n))
    height = np.clip(np.round(np.sqrt(share * h * w * ratio)), 1, h).astype(np.intp)
    width = np.clip(np.round(np.sqrt(share * h * w / ratio)), 1, w).astype(np.intp)
    top = (rng.random(n) * (h - height + 1)).astype(np.intp)
    left = (rng.random(n) * (w - width + 1)).astype(np.intp)
    erase = _box_mask(images, top, left, height, width) & (_per_image(images, rng.random(n) < p) > 0)
    return np.where(erase, rng.random(images.shape).astype(images.dtype), images)


def _check_soft_targets(func, x, t):
    t = np.asarray(t)
    if t.ndim != 2 or t.dtype.kind != "f":
        raise ValueError(f"{func}: targets t must be one-hot or soft rows (N, K) of floats, got {t.dtype} "
                         f"{t.shape}; convert labels with dlcore.data.to_one_hot(t, n_classes)")
    if len(t) != len(x):
        raise ValueError(f"{func}: {len(x)} inputs but {len(t)} targets")
    return t


def _mixing_weight(func, rng, alpha, lam):
    if lam is None:
        if not (_is_real(alpha) and alpha > 0):
            raise ValueError(f"{func}: alpha must be a positive number, got {alpha!r}")
        return float(rng.beta(alpha, alpha))
    return float(_check_range(func, "lam", 0, 1, lam))


def mixup(x, t, rng, alpha=0.2, lam=None):
    """Mixup: x̃ = λx + (1 − λ)x[perm], t̃ = λt + (1 − λ)t[perm] (Zhang et al., 2018).

    One λ ~ Beta(α, α) per call (or the given ``lam``); partners come from a
    random permutation of the batch.  ``x`` may have any shape (N, ...); ``t`` is
    one-hot or soft (N, K).  Returns (x̃, t̃).
    """
    x = np.asarray(x)
    t = _check_soft_targets("mixup", x, t)
    lam = _mixing_weight("mixup", rng, alpha, lam)
    perm = rng.permutation(len(x))
    return (lam * x + (1 - lam) * x[perm]).astype(x.dtype), (lam * t + (1 - lam) * t[perm]).astype(t.dtype)


def cutmix(images, t, rng, alpha=1.0, lam=None):
    """CutMix: paste a box from a partner image; the targets mix by the pasted share (Yun et al., 2019).

    One λ ~ Beta(α, α) per call (or the given ``lam``) sets a box of area share
    1 − λ (height H√(1 − λ), width W√(1 − λ)) at a uniform random centre, the
    same for the whole batch; clipped by the border, its actual share s gives
    λ' = 1 − s and t̃ = λ't + (1 − λ')t[perm].  Returns (images, t̃).
    """
    _check_images("cutmix", images)
    t = _check_soft_targets("cutmix", images, t)
    lam = _mixing_weight("cutmix", rng, alpha, lam)
    h, w = images.shape[-2:]
    box_h, box_w = int(h * np.sqrt(1 - lam)), int(w * np.sqrt(1 - lam))
    cy, cx = rng.integers(0, h), rng.integers(0, w)
    top, bottom = np.clip([cy - box_h // 2, cy - box_h // 2 + box_h], 0, h)
    left, right = np.clip([cx - box_w // 2, cx - box_w // 2 + box_w], 0, w)
    perm = rng.permutation(len(images))
    mixed = images.copy()
    mixed[..., top:bottom, left:right] = images[perm][..., top:bottom, left:right]
    kept = 1 - (bottom - top) * (right - left) / (h * w)
    return mixed, (kept * t + (1 - kept) * t[perm]).astype(t.dtype)


def rand_augment(images, rng, n_ops=2, magnitude=5):
    """RandAugment's idea: two numbers instead of a searched policy (Cubuk et al., 2020).

    Each image gets ``n_ops`` operations drawn uniformly from RAND_AUGMENT_OPS,
    each at the fixed strength magnitude/10 of its range with a random sign:
    shift up to a quarter of the image, rotation and shear up to 30°, zoom
    ±30 %, brightness and contrast ±0.5, noise std 0.2, a cutout square half
    the image wide.
    """
    _check_images("rand_augment", images)
    if int(n_ops) != n_ops or n_ops < 0:
        raise ValueError(f"rand_augment: n_ops must be an integer ≥ 0, got {n_ops!r}")
    _check_range("rand_augment", "magnitude", 0, 10, magnitude)
    strength = magnitude / 10
    out = images.copy()
    for _ in range(int(n_ops)):
        chosen = rng.integers(len(RAND_AUGMENT_OPS), size=len(images))
        for k, name in enumerate(RAND_AUGMENT_OPS):            # a loop over operations, not over images
            index = np.flatnonzero(chosen == k)
            if name != "identity" and len(index):
                out[index] = _rand_augment_op(name, out[index], rng, strength)
    return out


def _rand_augment_op(name, images, rng, strength):
    n, (h, w) = len(images), images.shape[-2:]
    sign = rng.choice([-1.0, 1.0], size=n)
    zeros, ones = np.zeros(n), np.ones(n)
    if name == "shift":
        step = np.round(strength * max(h, w) / 4)
        dy, dx = rng.choice([-1, 1], size=(2, n)) * step
        return _translate(images, dy, dx)
    if name == "rotate":
        return _affine(images, sign * 30 * strength, ones, zeros, np.zeros((2, n)))
    if name == "shear":
        return _affine(images, zeros, ones, sign * 30 * strength, np.zeros((2, n)))
    if name == "scale":
        return _affine(images, zeros, 1 + sign * 0.3 * strength, zeros, np.zeros((2, n)))
    if name == "brightness":
        return _brightness_contrast(images, sign * 0.5 * strength, ones)
    if name == "contrast":
        return _brightness_contrast(images, zeros, 1 + sign * 0.5 * strength)
    if name == "noise":
        return gaussian_noise(images, 0.2 * strength, rng)
    size = int(round(strength * max(h, w) / 2))
    return cutout(images, size, rng) if size >= 1 else images


class Augment:
    """Augmentation as a layer (part of the model): random in training, the identity at inference.

    ``forward(x, train=True)`` reshapes the batch to (N, *image_shape), applies
    ``transform(images, rng)`` and reshapes back; with ``train=False`` it
    returns x.  Placed first in a Sequential, it changes every training batch
    on the fly.  Backward passes dout unchanged (nothing before it learns).
    """

    def __init__(self, transform, image_shape, seed=None):
        if not callable(transform):
            raise TypeError(f"Augment: transform must be a function (images, rng) -> images, "
                            f"got {type(transform).__name__}")
        self.params, self.grads = [], []
        self.transform, self.image_shape = transform, tuple(image_shape)
        self.rng = np.random.default_rng(seed)

    def forward(self, x, train=True):
        if not train:
            return x
        if int(np.prod(x.shape[1:])) != int(np.prod(self.image_shape)):
            raise ValueError(f"Augment.forward: a sample of shape {x.shape[1:]} cannot be viewed as an image of "
                             f"shape {self.image_shape}")
        images = self.transform(x.reshape(len(x), *self.image_shape), self.rng)
        return images.reshape(x.shape).astype(x.dtype, copy=False)

    def backward(self, dout):
        return dout
