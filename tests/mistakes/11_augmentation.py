"""Typical learner mistakes in 11_augmentation and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_SHIFT = '''def shift_images(images, dy, dx, fill=0.0):
    n, (h, w) = len(images), images.shape[-2:]
    rows = {rows}
    cols = {cols}
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    planes = images.reshape(n, -1, h, w)
    batch = np.arange(n).reshape(n, 1, 1)
    picked = np.moveaxis(planes[batch, :, np.clip(rows, 0, h - 1), np.clip(cols, 0, w - 1)], -1, 1)
    out = {out}
    return out.reshape(images.shape)
'''


def shift(rows="np.arange(h).reshape(1, h, 1) - np.asarray(dy).reshape(n, 1, 1)",
          cols="np.arange(w).reshape(1, 1, w) - np.asarray(dx).reshape(n, 1, 1)",
          out="np.where(inside[:, None], picked, images.dtype.type(fill))"):
    """The model answer of shift_images with one piece replaced."""
    return _SHIFT.format(rows=rows, cols=cols, out=out)


_CUTMIX = '''def cutmix_box(images, t, perm, box):
    h, w = images.shape[-2:]
    top, bottom, left, right = box
{clip}    area = {area}
    mixed = {mixed}
    mixed[{index}] = {pasted}
    kept = 1 - area / (h * w)
    return mixed, {targets}
'''

_CLIP = ("    top, bottom = min(max(top, 0), h), min(max(bottom, 0), h)\n"
         "    left, right = min(max(left, 0), w), min(max(right, 0), w)\n")


def cutmix(clip=_CLIP, area="max(bottom - top, 0) * max(right - left, 0)", mixed="images.copy()",
           index="..., top:bottom, left:right", pasted="images[perm][..., top:bottom, left:right]",
           targets="(kept * t + (1 - kept) * t[perm]).astype(t.dtype)"):
    """The model answer of cutmix_box with one piece replaced."""
    return _CUTMIX.format(clip=clip, area=area, mixed=mixed, index=index, pasted=pasted, targets=targets)


SHIFT = {"test_shift_images_basic", "test_shift_images_hidden"}
CUTMIX = {"test_cutmix_box_basic", "test_cutmix_box_hidden"}

MISTAKES = {
    "shift_in_the_opposite_direction": (
        {"ex_shift_images": shift(rows="np.arange(h).reshape(1, h, 1) + np.asarray(dy).reshape(n, 1, 1)",
                                  cols="np.arange(w).reshape(1, 1, w) + np.asarray(dx).reshape(n, 1, 1)")},
        SHIFT,
    ),
    "shift_dy_and_dx_swapped": (
        {"ex_shift_images": shift(rows="np.arange(h).reshape(1, h, 1) - np.asarray(dx).reshape(n, 1, 1)",
                                  cols="np.arange(w).reshape(1, 1, w) - np.asarray(dy).reshape(n, 1, 1)")},
        SHIFT,
    ),
    "shift_wraps_around_with_np_roll": (
        {"ex_shift_images": "def shift_images(images, dy, dx, fill=0.0):\n"
                            "    return np.stack([np.roll(image, (a, b), axis=(-2, -1))\n"
                            "                     for image, a, b in zip(images, dy, dx)])\n"},
        SHIFT,
    ),
    "shift_ignores_fill": (
        {"ex_shift_images": shift(out="np.where(inside[:, None], picked, 0.0).astype(images.dtype)")},
        SHIFT,
    ),
    "shift_only_for_images_without_channels": (
        {"ex_shift_images": "def shift_images(images, dy, dx, fill=0.0):\n"
                            "    n, h, w = images.shape\n"
                            "    rows = np.arange(h).reshape(1, h, 1) - np.asarray(dy).reshape(n, 1, 1)\n"
                            "    cols = np.arange(w).reshape(1, 1, w) - np.asarray(dx).reshape(n, 1, 1)\n"
                            "    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)\n"
                            "    picked = images[np.arange(n).reshape(n, 1, 1), np.clip(rows, 0, h - 1), np.clip(cols, 0, w - 1)]\n"
                            "    return np.where(inside, picked, images.dtype.type(fill))\n"},
        {"test_shift_images_hidden"},
    ),
    "shift_upcasts_float32": (
        {"ex_shift_images": shift(out="np.where(inside[:, None], picked, np.float64(fill))")},
        {"test_shift_images_hidden"},
    ),
    "shift_by_slicing_breaks_for_shifts_as_large_as_the_image": (
        {"ex_shift_images": "def shift_images(images, dy, dx, fill=0.0):\n"
                            "    h, w = images.shape[-2:]\n"
                            "    out = np.full_like(images, fill)\n"
                            "    for i, (a, b) in enumerate(zip(dy, dx)):\n"
                            "        source = images[i][..., max(-a, 0):h - max(a, 0), max(-b, 0):w - max(b, 0)]\n"
                            "        out[i][..., max(a, 0):h - max(-a, 0), max(b, 0):w - max(-b, 0)] = source\n"
                            "    return out\n"},
        {"test_shift_images_hidden"},
    ),
    "shift_writes_into_the_input": (
        {"ex_shift_images": shift(out="images.reshape(picked.shape)")
                            .replace("    return out.reshape(images.shape)\n",
                                     "    out[...] = np.where(inside[:, None], picked, fill)\n"
                                     "    return out.reshape(images.shape)\n")},
        SHIFT,
    ),
    "shift_through_dlcore": (
        {"ex_shift_images": "from dlcore.augmentation import _translate\n\n"
                            "def shift_images(images, dy, dx, fill=0.0):\n"
                            "    moved = _translate(images, np.asarray(dy), np.asarray(dx))\n"
                            "    inside = _translate(np.ones_like(images), np.asarray(dy), np.asarray(dx))\n"
                            "    return np.where(inside > 0, moved, images.dtype.type(fill))\n"},
        SHIFT,
    ),
    "cutmix_area_of_the_unclipped_box": (
        {"ex_cutmix_box": cutmix(area="(box[1] - box[0]) * (box[3] - box[2])")},
        {"test_cutmix_box_hidden"},
    ),
    "cutmix_box_not_clipped": (
        {"ex_cutmix_box": cutmix(clip="", area="max(bottom - top, 0) * max(right - left, 0)")},
        {"test_cutmix_box_hidden"},
    ),
    "cutmix_target_weights_swapped": (
        {"ex_cutmix_box": cutmix(targets="((1 - kept) * t + kept * t[perm]).astype(t.dtype)")},
        CUTMIX,
    ),
    "cutmix_pastes_its_own_image_onto_the_partner": (
        {"ex_cutmix_box": cutmix(mixed="images[perm].copy()", pasted="images[..., top:bottom, left:right]")},
        CUTMIX,
    ),
    "cutmix_box_end_included": (
        {"ex_cutmix_box": cutmix(area="max(bottom - top + 1, 0) * max(right - left + 1, 0)",
                                 index="..., top:bottom + 1, left:right + 1",
                                 pasted="images[perm][..., top:bottom + 1, left:right + 1]")},
        CUTMIX,
    ),
    "cutmix_only_for_images_without_channels": (
        {"ex_cutmix_box": cutmix(index=":, top:bottom, left:right", pasted="images[perm][:, top:bottom, left:right]")},
        {"test_cutmix_box_hidden"},
    ),
    "cutmix_writes_into_the_input": (
        {"ex_cutmix_box": cutmix(mixed="images")},
        {"test_cutmix_box_hidden"},
    ),
    "cutmix_mixes_targets_with_the_partner_of_the_partner": (
        {"ex_cutmix_box": cutmix(targets="(kept * t + (1 - kept) * t[perm[perm]]).astype(t.dtype)")},
        CUTMIX,
    ),
    "cutmix_through_dlcore": (
        {"ex_cutmix_box": "from dlcore import augmentation\n\n"
                          "def cutmix_box(images, t, perm, box):\n"
                          "    h, w = images.shape[-2:]\n"
                          "    top, bottom = max(box[0], 0), min(box[1], h)\n"
                          "    left, right = max(box[2], 0), min(box[3], w)\n"
                          "    height, width = max(bottom - top, 0), max(right - left, 0)\n"
                          "    mask = augmentation._box_mask(images[:1], np.array([top]), np.array([left]), height, width)\n"
                          "    kept = 1 - height * width / (h * w)\n"
                          "    return np.where(mask, images[perm], images), (kept * t + (1 - kept) * t[perm]).astype(t.dtype)\n"},
        CUTMIX,
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = -np.log(0.5)\n",                   # the one-hot loss of the first class only
         "q2": "answer_q2 = 1 - 6 * 5 / 100\n",                # the area before clipping
         "q3": "answer_q3 = 2\n",                               # small rotations are safe
         "q4": "answer_q4 = 25\n"},                             # the square counted as if inside the image
        {"test_q1", "test_q2", "test_q3", "test_q4"},
    ),
}
