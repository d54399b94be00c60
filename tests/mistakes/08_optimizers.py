"""Typical learner mistakes in 08_optimizers and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""


def _nesterov(body, init="        self.v = None\n"):
    return ("class Nesterov:\n"
            "    def __init__(self, lr=0.01, momentum=0.9):\n"
            "        self.lr = lr\n"
            "        self.momentum = momentum\n"
            f"{init}"
            "\n"
            "    def update(self, params, grads):\n"
            f"{body}")


def _rmsprop(body):
    return ("class RMSProp:\n"
            "    def __init__(self, lr=0.01, rho=0.99, delta=1e-7):\n"
            "        self.lr = lr\n"
            "        self.rho = rho\n"
            "        self.delta = delta\n"
            "        self.h = None\n"
            "\n"
            "    def update(self, params, grads):\n"
            f"{body}")


def _adamw(body):
    return ("class AdamW:\n"
            "    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, delta=1e-8, weight_decay=0.01):\n"
            "        self.lr = lr\n"
            "        self.beta1 = beta1\n"
            "        self.beta2 = beta2\n"
            "        self.delta = delta\n"
            "        self.weight_decay = weight_decay\n"
            "        self.m = None\n"
            "        self.v = None\n"
            "        self.t = 0\n"
            "\n"
            "    def update(self, params, grads):\n"
            f"{body}")


_STATE = ("        if self.v is None:\n"
          "            self.v = [np.zeros_like(p) for p in params]\n")
_H = ("        if self.h is None:\n"
      "            self.h = [np.zeros_like(p) for p in params]\n")
_MV = ("        if self.m is None:\n"
       "            self.m = [np.zeros_like(p) for p in params]\n"
       "            self.v = [np.zeros_like(p) for p in params]\n")
_MOMENTS = ("            m *= self.beta1\n"
            "            m += (1 - self.beta1) * g\n"
            "            v *= self.beta2\n"
            "            v += (1 - self.beta2) * g * g\n")
_HATS = ("            m_hat = m / (1 - self.beta1 ** self.t)\n"
         "            v_hat = v / (1 - self.beta2 ** self.t)\n")

MISTAKES = {
    # ------------------------------------------------------------ Nesterov
    "nesterov_written_as_plain_momentum": (
        {"ex_nesterov": _nesterov(_STATE + "        for p, g, v in zip(params, grads, self.v):\n"
                                           "            v *= self.momentum\n"
                                           "            v -= self.lr * g\n"
                                           "            p += v\n")},
        {"test_nesterov_basic", "test_nesterov_hidden"},
    ),
    "nesterov_looks_ahead_with_the_old_velocity": (
        {"ex_nesterov": _nesterov(_STATE + "        for p, g, v in zip(params, grads, self.v):\n"
                                           "            p += self.momentum * v - self.lr * g\n"
                                           "            v *= self.momentum\n"
                                           "            v -= self.lr * g\n")},
        {"test_nesterov_basic", "test_nesterov_hidden"},
    ),
    "nesterov_replaces_the_arrays_instead_of_updating_them": (
        {"ex_nesterov": _nesterov(_STATE + "        for i in range(len(params)):\n"
                                           "            self.v[i] = self.momentum * self.v[i] - self.lr * grads[i]\n"
                                           "            params[i] = params[i] + self.momentum * self.v[i] - self.lr * grads[i]\n")},
        {"test_nesterov_basic", "test_nesterov_hidden"},
    ),
    "nesterov_one_velocity_for_every_parameter": (
        {"ex_nesterov": _nesterov("        if self.v is None:\n"
                                  "            self.v = np.zeros_like(params[0])\n"
                                  "        for p, g in zip(params, grads):\n"
                                  "            self.v = self.momentum * self.v - self.lr * g\n"
                                  "            p += self.momentum * self.v - self.lr * g\n")},
        {"test_nesterov_hidden"},
    ),
    "nesterov_subclasses_dlcore": (
        {"ex_nesterov": "from dlcore import optimizers\n\n\nclass Nesterov(optimizers.Nesterov):\n    pass\n"},
        {"test_nesterov_basic", "test_nesterov_hidden"},
    ),
    # ------------------------------------------------------------ RMSProp
    "rmsprop_without_one_minus_rho": (
        {"ex_rmsprop": _rmsprop(_H + "        for p, g, h in zip(params, grads, self.h):\n"
                                     "            h *= self.rho\n"
                                     "            h += g * g\n"
                                     "            p -= self.lr * g / (np.sqrt(h) + self.delta)\n")},
        {"test_rmsprop_basic", "test_rmsprop_hidden"},
    ),
    "rmsprop_accumulates_like_adagrad": (
        {"ex_rmsprop": _rmsprop(_H + "        for p, g, h in zip(params, grads, self.h):\n"
                                     "            h += g * g\n"
                                     "            p -= self.lr * g / (np.sqrt(h) + self.delta)\n")},
        {"test_rmsprop_basic", "test_rmsprop_hidden"},
    ),
    "rmsprop_delta_inside_the_square_root": (
        {"ex_rmsprop": _rmsprop(_H + "        for p, g, h in zip(params, grads, self.h):\n"
                                     "            h *= self.rho\n"
                                     "            h += (1 - self.rho) * g * g\n"
                                     "            p -= self.lr * g / np.sqrt(h + self.delta)\n")},
        {"test_rmsprop_hidden"},
    ),
    "rmsprop_scales_the_gradient_in_place": (
        {"ex_rmsprop": _rmsprop(_H + "        for p, g, h in zip(params, grads, self.h):\n"
                                     "            h *= self.rho\n"
                                     "            h += (1 - self.rho) * g * g\n"
                                     "            g /= np.sqrt(h) + self.delta\n"
                                     "            p -= self.lr * g\n")},
        {"test_rmsprop_basic", "test_rmsprop_hidden"},  # the visible test reuses g for its second update
    ),
    "rmsprop_forgets_h_between_updates": (
        {"ex_rmsprop": _rmsprop("        self.h = [np.zeros_like(p) for p in params]\n"
                                "        for p, g, h in zip(params, grads, self.h):\n"
                                "            h += (1 - self.rho) * g * g\n"
                                "            p -= self.lr * g / (np.sqrt(h) + self.delta)\n")},
        {"test_rmsprop_basic", "test_rmsprop_hidden"},
    ),
    "rmsprop_imports_dlcore": (
        {"ex_rmsprop": _rmsprop("        from dlcore.optimizers import RMSProp as Reference\n"
                                "        if self.h is None:\n"
                                "            self.h = Reference(self.lr, self.rho, self.delta)\n"
                                "        self.h.update(params, grads)\n")},
        {"test_rmsprop_basic", "test_rmsprop_hidden"},
    ),
    # ------------------------------------------------------------ AdamW
    "adamw_adds_the_decay_to_the_gradient": (
        {"ex_adamw": _adamw(_MV + "        self.t += 1\n"
                                  "        for p, g, m, v in zip(params, grads, self.m, self.v):\n"
                                  "            g = g + self.weight_decay * p\n"
                                  + _MOMENTS + _HATS +
                                  "            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.delta)\n")},
        {"test_adamw_basic", "test_adamw_hidden"},
    ),
    "adamw_without_bias_correction": (
        {"ex_adamw": _adamw(_MV + "        self.t += 1\n"
                                  "        for p, g, m, v in zip(params, grads, self.m, self.v):\n"
                                  + _MOMENTS +
                                  "            p -= self.lr * (m / (np.sqrt(v) + self.delta) + self.weight_decay * p)\n")},
        {"test_adamw_basic", "test_adamw_hidden"},
    ),
    "adamw_decay_not_scaled_by_the_learning_rate": (
        {"ex_adamw": _adamw(_MV + "        self.t += 1\n"
                                  "        for p, g, m, v in zip(params, grads, self.m, self.v):\n"
                                  + _MOMENTS + _HATS +
                                  "            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.delta) + self.weight_decay * p\n")},
        {"test_adamw_basic", "test_adamw_hidden"},
    ),
    "adamw_counts_t_once_per_parameter": (
        {"ex_adamw": _adamw(_MV + "        for p, g, m, v in zip(params, grads, self.m, self.v):\n"
                                  "            self.t += 1\n"
                                  + _MOMENTS + _HATS +
                                  "            p -= self.lr * (m_hat / (np.sqrt(v_hat) + self.delta) + self.weight_decay * p)\n")},
        {"test_adamw_hidden"},
    ),
    "adamw_subclasses_dlcore": (
        {"ex_adamw": "import dlcore.optimizers\n\n\nclass AdamW(dlcore.optimizers.AdamW):\n    pass\n"},
        {"test_adamw_basic", "test_adamw_hidden"},
    ),
    # ------------------------------------------------------------ 確認テスト
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 4\n",
         "q2": "answer_q2 = 1 - 0.8 ** 3\n",
         "q3": "answer_q3 = 0.3 / (2 ** 2 + (-1) ** 2 + 2 ** 2)\n"},
        {"test_q1", "test_q2", "test_q3"},
    ),
}
