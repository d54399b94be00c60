"""dlcore.augmentation: what each transformation does to known images, on (N, H, W) and (N, C, H, W)."""

import numpy as np
import pytest

from dlcore import augmentation as aug
from dlcore import data

IMAGES = np.random.default_rng(0).random((6, 2, 8, 8)).astype(np.float32)
ONE_HOT = np.eye(10, dtype=np.float32)[[0, 1, 2, 3, 4, 5]]


def bar():
    """A vertical bar at column 3, rows 2 and 3 of an 8 × 8 image."""
    image = np.zeros((1, 8, 8), np.float32)
    image[0, 2:4, 3] = 1
    return image


TRANSFORMS = {
    "shift": lambda x, rng: aug.shift(x, 1, rng),
    "flip_horizontal": lambda x, rng: aug.flip_horizontal(x, rng),
    "affine": lambda x, rng: aug.affine(x, rng, degrees=15, scale=(0.9, 1.1), shear=10, translate=1),
    "brightness_contrast": lambda x, rng: aug.brightness_contrast(x, rng, 0.2, 0.3),
    "gaussian_noise": lambda x, rng: aug.gaussian_noise(x, 0.1, rng),
    "cutout": lambda x, rng: aug.cutout(x, 3, rng),
    "random_erasing": lambda x, rng: aug.random_erasing(x, rng, p=1.0),
    "cutmix": lambda x, rng: aug.cutmix(x, ONE_HOT, rng)[0],
    "rand_augment": lambda x, rng: aug.rand_augment(x, rng, 2, 7),
}


@pytest.mark.parametrize("name", TRANSFORMS)
@pytest.mark.parametrize("images", [IMAGES, IMAGES[:, 0]], ids=["NCHW", "NHW"])
def test_every_transform_keeps_shape_dtype_and_range_leaves_the_input_and_repeats_with_a_seed(name, images):
    before = images.copy()
    out = TRANSFORMS[name](images, np.random.default_rng(1))
    assert out.shape == images.shape and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1
    np.testing.assert_array_equal(images, before)
    np.testing.assert_array_equal(out, TRANSFORMS[name](images, np.random.default_rng(1)))
    assert not np.array_equal(out, images)


def test_shift_moves_whole_pixels_and_fills_with_zeros():
    image = bar()
    moved = aug._translate(image, np.array([1]), np.array([-1]))   # one row down, one column left
    assert np.argwhere(moved[0]).tolist() == [[3, 2], [4, 2]]
    out = aug.shift(np.ones((200, 8, 8), np.float32), 2, np.random.default_rng(0))
    zero_rows = (out == 0).all(axis=2).sum(axis=1)
    assert set(zero_rows) == {0, 1, 2}                              # |dy| ≤ 2 rows emptied


def test_flip_mirrors_left_right_with_probability_p():
    image = bar()
    assert np.argwhere(aug.flip_horizontal(image, np.random.default_rng(0), p=1.0)[0]).tolist() == [[2, 4], [3, 4]]
    many = np.repeat(image, 1000, axis=0)
    flipped = aug.flip_horizontal(many, np.random.default_rng(0), p=0.3)[:, 2, 4] == 1
    assert flipped.mean() == pytest.approx(0.3, abs=0.05)


def test_affine_with_no_change_is_exact_and_90_degrees_turns_counter_clockwise():
    np.testing.assert_allclose(aug.affine(IMAGES, np.random.default_rng(0)), IMAGES, atol=1e-6)
    turned = aug._affine(bar(), np.array([90.0]), np.ones(1), np.zeros(1), np.zeros((2, 1)))
    assert np.argwhere(turned[0] > 0.5).tolist() == [[4, 2], [4, 3]]   # the bar above the centre now lies left of it
    doubled = aug._affine(bar(), np.zeros(1), np.array([2.0]), np.zeros(1), np.zeros((2, 1)))
    assert doubled.sum() > 2 * bar().sum()                            # a zoom of 2 makes the bar larger


def test_brightness_and_contrast_per_image():
    flat = np.full((1, 4, 4), 0.5, np.float32)
    np.testing.assert_allclose(aug._brightness_contrast(flat, np.array([0.2]), np.array([3.0])), 0.7, atol=1e-6)
    ramp = np.linspace(0.25, 0.75, 16, dtype=np.float32).reshape(1, 4, 4)
    np.testing.assert_allclose(aug._brightness_contrast(ramp, np.zeros(1), np.array([2.0])),
                               np.clip((ramp - 0.5) * 2 + 0.5, 0, 1), atol=1e-6)


def test_cutout_zeroes_a_square_that_the_border_may_cut():
    out = aug.cutout(np.ones((500, 8, 8), np.float32), 3, np.random.default_rng(0))
    zeros = (out == 0).sum(axis=(1, 2))
    assert zeros.max() == 9 and set(zeros) <= {4, 6, 9} and (zeros < 9).any()


def test_random_erasing_fills_a_rectangle_inside_the_image_with_the_given_share():
    out = aug.random_erasing(np.zeros((500, 1, 8, 8), np.float32), np.random.default_rng(0), p=1.0,
                             area=(0.1, 0.3), aspect=(0.5, 2.0))
    erased = (out != 0).sum(axis=(1, 2, 3)) / 64
    assert erased.min() > 0.03 and erased.max() < 0.45
    assert (aug.random_erasing(IMAGES, np.random.default_rng(0), p=0.0) == IMAGES).all()


def test_mixup_mixes_inputs_and_targets_with_the_same_lambda():
    rng = np.random.default_rng(0)
    x = np.arange(6, dtype=np.float32)[:, None] * np.ones((6, 4), np.float32)
    x_mix, t_mix = aug.mixup(x, ONE_HOT, rng, lam=0.7)
    np.testing.assert_allclose(t_mix.sum(axis=1), 1, atol=1e-6)
    partner = t_mix.argsort(axis=1)[:, -2]                             # the class with weight 0.3 (or itself)
    mixed_away = t_mix.max(axis=1) < 1
    np.testing.assert_allclose(t_mix.max(axis=1)[mixed_away], 0.7, atol=1e-6)
    np.testing.assert_allclose(x_mix[mixed_away, 0], 0.7 * np.arange(6)[mixed_away] + 0.3 * partner[mixed_away],
                               atol=1e-5)
    lams = [aug.mixup(x, ONE_HOT, rng, alpha=0.2)[1][0].max() for _ in range(200)]
    assert np.mean(np.array(lams) > 0.9) > 0.4                        # Beta(0.2, 0.2) puts most weight near 0 and 1
    with pytest.raises(ValueError, match="mixup: targets t must be one-hot .*to_one_hot"):
        aug.mixup(x, np.arange(6), rng)


def test_cutmix_targets_use_the_share_actually_pasted():
    rng = np.random.default_rng(3)
    images = np.repeat(np.arange(6, dtype=np.float32)[:, None, None] / 10, 8, axis=1).repeat(8, axis=2)
    for lam in (0.3, 0.5, 0.8):
        mixed, t_mix = aug.cutmix(images, ONE_HOT, rng, lam=lam)
        pasted = (mixed != images).mean(axis=(1, 2))
        moved = pasted > 0
        np.testing.assert_allclose(t_mix[moved].max(axis=1), 1 - pasted[moved], atol=1e-6)
        np.testing.assert_allclose(t_mix.sum(axis=1), 1, atol=1e-6)
    with pytest.raises(ValueError, match=r"cutmix: lam must be a number in \[0, 1\]"):
        aug.cutmix(images, ONE_HOT, rng, lam=1.5)


def test_rand_augment_at_magnitude_0_changes_nothing_but_noise_free_ops():
    out = aug.rand_augment(IMAGES, np.random.default_rng(0), n_ops=3, magnitude=0)
    np.testing.assert_allclose(out, IMAGES, atol=1e-6)
    assert aug.RAND_AUGMENT_OPS[0] == "identity"


def test_augment_layer_is_random_in_training_and_the_identity_at_inference():
    (x, _), _ = data.load_digits(seed=0)
    layer = aug.Augment(lambda images, rng: aug.shift(images, 1, rng), (8, 8), seed=0)
    out = layer.forward(x[:50])
    assert out.shape == (50, 64) and not np.array_equal(out, x[:50])
    batch = x[:50]
    assert layer.forward(batch, train=False) is batch
    with pytest.raises(ValueError, match=r"Augment.forward: a sample of shape \(64,\) cannot be viewed"):
        aug.Augment(lambda images, rng: images, (7, 7)).forward(x[:5])


@pytest.mark.parametrize("call, error, message", [
    (lambda: aug.shift(np.zeros((2, 64), np.float32), 1, np.random.default_rng(0)), ValueError,
     r"shift: images must have shape \(N, H, W\) or \(N, C, H, W\), got \(2, 64\); reshape"),
    (lambda: aug.shift(np.zeros((2, 8, 8), np.int64), 1, np.random.default_rng(0)), TypeError,
     "shift: images must be a float ndarray"),
    (lambda: aug.shift(IMAGES, 0.5, np.random.default_rng(0)), ValueError, "shift: max_shift must be an integer"),
    (lambda: aug.cutout(IMAGES, 9, np.random.default_rng(0)), ValueError, "cutout: size must be an integer from 1"),
    (lambda: aug.affine(IMAGES, np.random.default_rng(0), scale=(1.2, 0.8)), ValueError, "affine: scale must be"),
    (lambda: aug.rand_augment(IMAGES, np.random.default_rng(0), magnitude=11), ValueError,
     r"rand_augment: magnitude must be a number in \[0, 10\]"),
])
def test_bad_input_is_rejected_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_scalars_are_numbers_too():
    rng = np.random.default_rng(0)
    aug.mixup(IMAGES, ONE_HOT, rng, lam=np.float32(0.5))
    aug.gaussian_noise(IMAGES, np.float32(0.1), rng)
    aug.flip_horizontal(IMAGES, rng, p=np.int64(1))
    with pytest.raises(ValueError, match=r"flip_horizontal: p must be a number in \[0, 1\], got True"):
        aug.flip_horizontal(IMAGES, rng, p=True)
