"""Typical learner mistakes in 09_normalization and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_GROUP_NORM = '''def group_norm_forward(x, gamma, beta, groups, eps=1e-5):
    n, c, h, w = x.shape
    grouped = x.reshape({grouped})
    mean = grouped.mean(axis={axes}, keepdims=True)
    var = {var}
    x_hat = ({x_hat}).reshape(n, c, h, w)
    return gamma.reshape(1, c, 1, 1) * x_hat + beta.reshape(1, c, 1, 1)
'''


def group_norm(grouped="n, groups, c // groups, h, w", axes="(2, 3, 4)",
               var="grouped.var(axis=(2, 3, 4), keepdims=True)", x_hat="(grouped - mean) / np.sqrt(var + eps)"):
    """The model answer of group_norm_forward with one piece replaced."""
    return _GROUP_NORM.format(grouped=grouped, axes=axes, var=var, x_hat=x_hat)


_LAYER_NORM_BACKWARD = '''def layer_norm_backward(dout, x_hat, std, gamma):
    others = tuple(range(dout.ndim - 1))
    dgamma = {dgamma}
    dbeta = {dbeta}
    g = {g}
    dx = {dx}
    return dx, dgamma, dbeta
'''


def layer_norm_backward(dgamma="(dout * x_hat).sum(axis=others)", dbeta="dout.sum(axis=others)", g="dout * gamma",
                        dx="(g - g.mean(axis=-1, keepdims=True) - x_hat * (g * x_hat).mean(axis=-1, keepdims=True)) / std"):
    """The model answer of layer_norm_backward with one piece replaced."""
    return _LAYER_NORM_BACKWARD.format(dgamma=dgamma, dbeta=dbeta, g=g, dx=dx)


_FOLD = '''def fold_batch_norm(W, b, gamma, beta, running_mean, running_var, eps=1e-5):
    scale = {scale}
    return {W_new}, {b_new}
'''


def fold(scale="gamma / np.sqrt(running_var + eps)", W_new="W * scale", b_new="(b - running_mean) * scale + beta"):
    """The model answer of fold_batch_norm with one piece replaced."""
    return _FOLD.format(scale=scale, W_new=W_new, b_new=b_new)


GROUP = {"test_group_norm_forward_basic", "test_group_norm_forward_hidden"}
LAYER = {"test_layer_norm_backward_basic", "test_layer_norm_backward_hidden"}
FOLD = {"test_fold_batch_norm_basic", "test_fold_batch_norm_hidden"}

MISTAKES = {
    "group_norm_per_channel_like_instance_norm": (
        {"ex_group_norm_forward": group_norm(axes="(3, 4)", var="grouped.var(axis=(3, 4), keepdims=True)")},
        GROUP,
    ),
    "group_norm_over_the_batch_like_batch_norm": (
        {"ex_group_norm_forward": group_norm(axes="(0, 2, 3, 4)", var="grouped.var(axis=(0, 2, 3, 4), keepdims=True)")},
        {"test_group_norm_forward_hidden"},
    ),
    "group_norm_groups_interleaved": (
        {"ex_group_norm_forward": group_norm(grouped="n, c // groups, groups, h, w", axes="(1, 3, 4)",
                                             var="grouped.var(axis=(1, 3, 4), keepdims=True)")},
        GROUP,
    ),
    "group_norm_unbiased_variance": (
        {"ex_group_norm_forward": group_norm(var="grouped.var(axis=(2, 3, 4), ddof=1, keepdims=True)")},
        GROUP,
    ),
    "group_norm_eps_outside_the_root": (
        {"ex_group_norm_forward": group_norm(x_hat="(grouped - mean) / (np.sqrt(var) + eps)")},
        {"test_group_norm_forward_hidden"},
    ),
    "group_norm_upcasts_float32": (
        {"ex_group_norm_forward": group_norm(grouped="n, groups, c // groups, h, w).astype(np.float64")},
        {"test_group_norm_forward_hidden"},
    ),
    "group_norm_through_dlcore": (
        {"ex_group_norm_forward": "from dlcore import normalization\n\n"
                                  "def group_norm_forward(x, gamma, beta, groups, eps=1e-5):\n"
                                  "    return normalization.GroupNormalization(gamma, beta, groups, eps).forward(x)\n"},
        GROUP,
    ),
    "layer_norm_backward_without_gamma": (
        {"ex_layer_norm_backward": layer_norm_backward(g="dout")},
        LAYER,
    ),
    "layer_norm_backward_on_the_batch_axis_like_batch_norm": (
        {"ex_layer_norm_backward": layer_norm_backward(
            dx="(g - g.mean(axis=0, keepdims=True) - x_hat * (g * x_hat).mean(axis=0, keepdims=True)) / std")},
        LAYER,
    ),
    "layer_norm_backward_without_the_variance_term": (
        {"ex_layer_norm_backward": layer_norm_backward(dx="(g - g.mean(axis=-1, keepdims=True)) / std")},
        LAYER,
    ),
    "layer_norm_backward_as_if_mean_and_variance_were_constants": (
        {"ex_layer_norm_backward": layer_norm_backward(dx="g / std")},
        LAYER,
    ),
    "layer_norm_backward_parameter_gradients_summed_over_the_features": (
        {"ex_layer_norm_backward": layer_norm_backward(dgamma="(dout * x_hat).sum(axis=-1)", dbeta="dout.sum(axis=-1)")},
        LAYER,
    ),
    "layer_norm_backward_only_for_two_dimensions": (
        {"ex_layer_norm_backward": layer_norm_backward(dgamma="(dout * x_hat).sum(axis=0)", dbeta="dout.sum(axis=0)")},
        {"test_layer_norm_backward_hidden"},
    ),
    "layer_norm_backward_through_dlcore": (
        {"ex_layer_norm_backward": "from dlcore.normalization import _normalize_backward\n\n"
                                   "def layer_norm_backward(dout, x_hat, std, gamma):\n"
                                   "    others = tuple(range(dout.ndim - 1))\n"
                                   "    dx = _normalize_backward(dout * gamma, x_hat, std, (-1,))\n"
                                   "    return dx, (dout * x_hat).sum(axis=others), dout.sum(axis=others)\n"},
        LAYER,
    ),
    "fold_without_the_square_root": (
        {"ex_fold_batch_norm": fold(scale="gamma / (running_var + eps)")},
        FOLD,
    ),
    "fold_eps_outside_the_root": (
        {"ex_fold_batch_norm": fold(scale="gamma / (np.sqrt(running_var) + eps)")},
        {"test_fold_batch_norm_hidden"},
    ),
    "fold_mean_not_scaled": (
        {"ex_fold_batch_norm": fold(b_new="b * scale - running_mean + beta")},
        FOLD,
    ),
    "fold_scales_the_rows_instead_of_the_columns": (
        {"ex_fold_batch_norm": fold(W_new="W * scale[:, None]")},
        FOLD,
    ),
    "fold_changes_the_weights_in_place": (
        {"ex_fold_batch_norm": "def fold_batch_norm(W, b, gamma, beta, running_mean, running_var, eps=1e-5):\n"
                               "    scale = gamma / np.sqrt(running_var + eps)\n"
                               "    W *= scale\n"
                               "    return W, (b - running_mean) * scale + beta\n"},
        {"test_fold_batch_norm_hidden"},
    ),
    "fold_through_dlcore": (
        {"ex_fold_batch_norm": "from dlcore import normalization\n\n"
                               "def fold_batch_norm(W, b, gamma, beta, running_mean, running_var, eps=1e-5):\n"
                               "    bn = normalization.BatchNormalization(gamma, beta, eps=eps, running_mean=running_mean,\n"
                               "                                          running_var=running_var)\n"
                               "    W_new = bn.forward(W, train=False) - bn.forward(np.zeros_like(W), train=False)\n"
                               "    return W_new, bn.forward(b[None, :], train=False)[0]\n"},
        FOLD,
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 0.2 * 1.0 + 0.8 * 6.0\n",        # PyTorch's momentum read the wrong way round
         "q2": "answer_q2 = 4 * 32\n",                        # the running statistics counted as learned
         "q3": "answer_q3 = 2\n",                              # layer norm's axes
         "q4": "answer_q4 = 3 * (-3 / np.sqrt(18)) + 0.5\n"},  # unbiased variance (ddof=1)
        {"test_q1", "test_q2", "test_q3", "test_q4"},
    ),
}
