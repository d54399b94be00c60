"""Typical learner mistakes in 20_autoencoder and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_KL = '''def gaussian_kl_pair(mu_q, logvar_q, mu_p, logvar_p):
    {check}
    ratio = {ratio}
    mahalanobis = {mahalanobis}
    return 0.5 * np.sum({terms}, axis={axis})
'''
_KL_CHECK = ("if len({np.shape(a) for a in (mu_q, logvar_q, mu_p, logvar_p)}) != 1:\n"
             "        raise ValueError('4 つの引数は同じ形です')")


def kl(check=_KL_CHECK, ratio="np.exp(logvar_q - logvar_p)", mahalanobis="(mu_q - mu_p) ** 2 * np.exp(-logvar_p)",
       terms="ratio + mahalanobis - 1 - (logvar_q - logvar_p)", axis="1"):
    """The model answer of gaussian_kl_pair with one piece replaced."""
    return _KL.format(check=check, ratio=ratio, mahalanobis=mahalanobis, terms=terms, axis=axis)


_SOFTPLUS = '''def reparameterize_softplus(mu, s, eps):
    return mu + {softplus} * eps


def reparameterize_softplus_backward(dz, s, eps):
    sigmoid = {sigmoid}
    return {dmu}, {ds}
'''


def softplus(softplus="np.logaddexp(0, s).astype(s.dtype, copy=False)",
             sigmoid="np.exp(-np.logaddexp(0, -s)).astype(s.dtype, copy=False)", dmu="dz.copy()",
             ds="dz * eps * sigmoid"):
    """The model answer of reparameterize_softplus(_backward) with one piece replaced."""
    return _SOFTPLUS.format(softplus=softplus, sigmoid=sigmoid, dmu=dmu, ds=ds)


_VQ = '''def vector_quantize(z_e, codebook):
    if np.ndim(z_e) < 1 or np.shape(z_e)[-1] != np.shape(codebook)[1]:
        raise ValueError("z_e の最後の軸はコードブックの D と同じ大きさです")
    rows = z_e.reshape(-1, codebook.shape[1])
    distances = {distances}
    flat = {choose}
    z_q = codebook[flat]
    dcodebook = np.zeros_like(codebook)
    {scatter}
    return {indices}, z_q.reshape(z_e.shape), {result}
'''


def vq(distances="np.sum((rows[:, None, :] - codebook[None, :, :]) ** 2, axis=2)",
       choose="np.argmin(distances, axis=1)", scatter="np.add.at(dcodebook, flat, 2 * (z_q - rows) / len(rows))",
       indices="flat.reshape(z_e.shape[:-1])", result="dcodebook"):
    """The model answer of vector_quantize with one piece replaced."""
    return _VQ.format(distances=distances, choose=choose, scatter=scatter, indices=indices, result=result)


KL = {"test_gaussian_kl_pair_basic", "test_gaussian_kl_pair_hidden"}
SOFTPLUS = {"test_reparameterize_softplus_basic", "test_reparameterize_softplus_hidden"}
VQ = {"test_vector_quantize_basic", "test_vector_quantize_hidden"}

MISTAKES = {
    "kl_swaps_q_and_p": (
        {"ex_gaussian_kl_pair": kl(ratio="np.exp(logvar_p - logvar_q)", mahalanobis="(mu_q - mu_p) ** 2 * np.exp(-logvar_q)",
                                   terms="ratio + mahalanobis - 1 - (logvar_p - logvar_q)")},
        KL,
    ),
    "kl_divides_the_mean_difference_by_sigma_q": (
        {"ex_gaussian_kl_pair": kl(mahalanobis="(mu_q - mu_p) ** 2 * np.exp(-logvar_q)")},
        KL,
    ),
    "kl_flips_the_sign_of_the_log_ratio": (
        {"ex_gaussian_kl_pair": kl(terms="ratio + mahalanobis - 1 + (logvar_q - logvar_p)")},
        KL,
    ),
    "kl_forgets_the_minus_one": (
        {"ex_gaussian_kl_pair": kl(terms="ratio + mahalanobis - (logvar_q - logvar_p)")},
        KL,
    ),
    "kl_sums_over_the_batch_too": (
        {"ex_gaussian_kl_pair": kl(axis="None")},
        KL,
    ),
    "kl_keeps_the_standard_normal_prior": (
        {"ex_gaussian_kl_pair": kl(ratio="np.exp(logvar_q)", mahalanobis="mu_q ** 2", terms="ratio + mahalanobis - 1 - logvar_q")},
        {"test_gaussian_kl_pair_basic", "test_gaussian_kl_pair_hidden"},
    ),
    "kl_overflows_with_separate_variances": (
        {"ex_gaussian_kl_pair": kl(ratio="np.exp(logvar_q) / np.exp(logvar_p)",
                                   mahalanobis="(mu_q - mu_p) ** 2 / np.exp(logvar_p)")},
        {"test_gaussian_kl_pair_hidden"},
    ),
    "kl_upcasts_float32": (
        {"ex_gaussian_kl_pair": kl(ratio="np.exp(np.float64(1) * (logvar_q - logvar_p))")},
        {"test_gaussian_kl_pair_hidden"},
    ),
    "kl_accepts_mismatched_shapes": (
        {"ex_gaussian_kl_pair": kl(check="pass")},
        {"test_gaussian_kl_pair_hidden"},
    ),
    "kl_through_dlcore": (
        {"ex_gaussian_kl_pair": "from dlcore import generative\n\n"
                                "def gaussian_kl_pair(mu_q, logvar_q, mu_p, logvar_p):\n"
                                "    return generative.gaussian_kl((mu_q - mu_p) * np.exp(-0.5 * logvar_p), "
                                "logvar_q - logvar_p)\n"},
        KL,
    ),
    "softplus_copies_the_log_variance_derivative": (
        {"ex_reparameterize_softplus": softplus(ds="0.5 * dz * eps * np.logaddexp(0, s)")},
        SOFTPLUS,
    ),
    "softplus_forgets_the_sigmoid": (
        {"ex_reparameterize_softplus": softplus(ds="dz * eps")},
        SOFTPLUS,
    ),
    "softplus_multiplies_by_sigma_instead_of_its_derivative": (
        {"ex_reparameterize_softplus": softplus(ds="dz * eps * np.logaddexp(0, s)")},
        SOFTPLUS,
    ),
    "softplus_forgets_the_upstream_gradient": (
        {"ex_reparameterize_softplus": softplus(dmu="np.ones_like(dz)", ds="eps * sigmoid")},
        SOFTPLUS,
    ),
    "softplus_uses_exp_for_sigma": (
        {"ex_reparameterize_softplus": softplus(softplus="np.exp(s)")},
        SOFTPLUS,
    ),
    "softplus_overflows_at_1000": (
        {"ex_reparameterize_softplus": softplus(softplus="np.log(1 + np.exp(s))")},
        {"test_reparameterize_softplus_hidden"},
    ),
    "softplus_sigmoid_overflows_at_minus_1000": (
        {"ex_reparameterize_softplus": softplus(sigmoid="1 / (1 + np.exp(-s))")},
        {"test_reparameterize_softplus_hidden"},
    ),
    "softplus_upcasts_float32": (
        {"ex_reparameterize_softplus": softplus(softplus="np.logaddexp(0, s.astype(np.float64))")},
        {"test_reparameterize_softplus_hidden"},
    ),
    "softplus_through_dlcore": (
        {"ex_reparameterize_softplus": "from dlcore import generative\n\n"
                                       "def reparameterize_softplus(mu, s, eps):\n"
                                       "    return generative.Reparameterize().forward(mu, 2 * np.log(np.logaddexp(0, s)), eps)\n\n\n"
                                       "def reparameterize_softplus_backward(dz, s, eps):\n"
                                       "    return dz.copy(), dz * eps / (1 + np.exp(-s))\n"},
        SOFTPLUS,
    ),
    "vq_picks_the_farthest_code": (
        {"ex_vector_quantize": vq(choose="np.argmax(distances, axis=1)")},
        VQ,
    ),
    "vq_measures_the_l1_distance": (
        {"ex_vector_quantize": vq(distances="np.sum(np.abs(rows[:, None, :] - codebook[None, :, :]), axis=2)")},
        {"test_vector_quantize_hidden"},
    ),
    "vq_assigns_instead_of_adding_repeated_codes": (
        {"ex_vector_quantize": vq(scatter="dcodebook[flat] += 2 * (z_q - rows) / len(rows)")},
        VQ,
    ),
    "vq_flips_the_sign_of_the_codebook_gradient": (
        {"ex_vector_quantize": vq(scatter="np.add.at(dcodebook, flat, 2 * (rows - z_q) / len(rows))")},
        VQ,
    ),
    "vq_forgets_the_mean_over_vectors": (
        {"ex_vector_quantize": vq(scatter="np.add.at(dcodebook, flat, 2 * (z_q - rows))")},
        VQ,
    ),
    "vq_divides_by_the_batch_not_the_vectors": (
        {"ex_vector_quantize": vq(scatter="np.add.at(dcodebook, flat, 2 * (z_q - rows) / len(z_e))")},
        {"test_vector_quantize_hidden"},
    ),
    "vq_returns_flat_indices": (
        {"ex_vector_quantize": vq(indices="flat")},
        {"test_vector_quantize_hidden"},
    ),
    "vq_upcasts_float32": (
        {"ex_vector_quantize": vq(result="dcodebook.astype(np.float64)")},
        {"test_vector_quantize_hidden"},
    ),
    "vq_through_dlcore": (
        {"ex_vector_quantize": "from dlcore import generative\n\n"
                               "def vector_quantize(z_e, codebook):\n"
                               "    layer = generative.VectorQuantizer(codebook.copy(), beta=0.0)\n"
                               "    z_q = layer.forward(z_e)\n"
                               "    layer.backward(np.zeros_like(z_e))\n"
                               "    return layer.indices, z_q, layer.grads[0]\n"},
        VQ,
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 2.3069\n",              # the ½ in front of the sum forgotten
         "q2": "answer_q2 = 0.0\n",                 # a perfect reconstruction taken to reach 0
         "q3": "answer_q3 = 4352\n",                # the weights only, biases forgotten
         "q4": "answer_q4 = -0.3\n",                # ½σε without the upstream gradient 2.5
         "q5": "answer_q5 = 9\n"},                  # the bits of one position only
        {"test_q1", "test_q2", "test_q3", "test_q4", "test_q5"},
    ),
}
