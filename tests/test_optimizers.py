"""dlcore.optimizers: the first two steps of every rule, computed by hand; input checks; PyTorch's twins.

The tiny fixed problem: w₀ = (1, −2), the first gradient g₁ = (0.5, −1), the
second g₂ = (0.1, 0.2), learning rate ε = 0.1.
"""

import math

import numpy as np
import pytest

from dlcore import optimizers
from dlcore.optimizers import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSProp

G1, G2 = np.array([0.5, -1.0]), np.array([0.1, 0.2])


def two_steps(optimizer):
    w = np.array([1.0, -2.0])
    params = [w]
    optimizer.update(params, [G1.copy()])
    first = w.copy()
    optimizer.update(params, [G2.copy()])
    assert params[0] is w, "the parameter must be updated in place"
    return first, w


# Each case: the optimizer, w after the first step and w after the second, worked out by hand.
HAND_COMPUTED = {
    # w ← w − εg
    "sgd": (SGD(lr=0.1), [0.95, -1.9], [0.94, -1.92]),
    # v₁ = −εg₁ = (−0.05, 0.1); v₂ = 0.9v₁ − εg₂ = (−0.055, 0.07); w ← w + v
    "momentum": (Momentum(lr=0.1, momentum=0.9), [0.95, -1.9], [0.895, -1.83]),
    # w₁ = w₀ + 0.9v₁ − εg₁ = (1 − 0.045 − 0.05, −2 + 0.09 + 0.1); w₂ = w₁ + 0.9v₂ − εg₂
    "nesterov": (Nesterov(lr=0.1, momentum=0.9), [0.905, -1.81], [0.905 - 0.0495 - 0.01, -1.81 + 0.063 - 0.02]),
    # h₁ = (0.25, 1): the first step is ε·sign(g); h₂ = (0.26, 1.04)
    "adagrad": (AdaGrad(lr=0.1, delta=1e-12), [0.9, -1.9],
                [0.9 - 0.01 / math.sqrt(0.26), -1.9 - 0.02 / math.sqrt(1.04)]),
    # h₁ = 0.1g₁² = (0.025, 0.1); h₂ = 0.9h₁ + 0.1g₂² = (0.0235, 0.094)
    "rmsprop": (RMSProp(lr=0.1, rho=0.9, delta=1e-12),
                [1 - 0.05 / math.sqrt(0.025), -2 + 0.1 / math.sqrt(0.1)],
                [1 - 0.05 / math.sqrt(0.025) - 0.01 / math.sqrt(0.0235),
                 -2 + 0.1 / math.sqrt(0.1) - 0.02 / math.sqrt(0.094)]),
    # t = 1: m̂ = g₁, v̂ = g₁², a step of ε·sign(g₁).
    # t = 2: m = (0.055, −0.07), m̂ = m/0.19; v = (0.00025975, 0.001039), v̂ = v/0.001999
    "adam": (Adam(lr=0.1, delta=1e-12), [0.9, -1.9],
             [0.9 - 0.1 * (0.055 / 0.19) / math.sqrt(0.00025975 / 0.001999),
              -1.9 + 0.1 * (0.07 / 0.19) / math.sqrt(0.001039 / 0.001999)]),
    # without correction: m = 0.1g₁ = (0.05, −0.1), v = 0.001g₁² = (0.00025, 0.001); m/√v = √10·sign(g₁)
    "adam_without_bias_correction": (Adam(lr=0.1, delta=1e-12, bias_correction=False),
                                     [1 - 0.1 * math.sqrt(10), -2 + 0.1 * math.sqrt(10)],
                                     [1 - 0.1 * math.sqrt(10) - 0.1 * 0.055 / math.sqrt(0.00025975),
                                      -2 + 0.1 * math.sqrt(10) + 0.1 * 0.07 / math.sqrt(0.001039)]),
    # L2: g ← g + 0.1w, so g₁' = (0.6, −1.2); g₂' = g₂ + 0.1w₁ = (0.194, 0.012)
    "sgd_with_weight_decay": (SGD(lr=0.1, weight_decay=0.1), [0.94, -1.88], [0.94 - 0.0194, -1.88 - 0.0012]),
    # L1: g ← g + 0.1·sign(w), so g₁' = (0.6, −1.1); w₁ = (0.94, −1.89), g₂' = (0.2, 0.1)
    "sgd_with_l1_decay": (SGD(lr=0.1, l1_decay=0.1), [0.94, -1.89], [0.92, -1.90]),
    # L1 enters AdamW's g too: the first step is ε·sign(g₁'); m₂ = 0.09g₁' + 0.1g₂' = (0.074, −0.089)
    "adamw_with_l1_decay": (AdamW(lr=0.1, delta=1e-12, weight_decay=0.0, l1_decay=0.1), [0.9, -1.9],
                            [0.9 - 0.1 * (0.074 / 0.19) / math.sqrt((0.999 * 0.001 * 0.36 + 0.001 * 0.04) / 0.001999),
                             -1.9 + 0.1 * (0.089 / 0.19) / math.sqrt((0.999 * 0.001 * 1.21 + 0.001 * 0.01) / 0.001999)]),
    # decoupled: w₁ = w₀ − 0.1(sign(g₁) + 0.1w₀) = (1 − 0.11, −2 + 0.12)
    "adamw": (AdamW(lr=0.1, delta=1e-12, weight_decay=0.1), [0.89, -1.88],
              [0.89 - 0.1 * ((0.055 / 0.19) / math.sqrt(0.00025975 / 0.001999) + 0.089),
               -1.88 - 0.1 * (-(0.07 / 0.19) / math.sqrt(0.001039 / 0.001999) - 0.188)]),
    # ε halves after every update: 0.1, then 0.05
    "sgd_with_step_decay": (SGD(lr=0.1, schedule=optimizers.step_decay(1, 0.5)), [0.95, -1.9], [0.945, -1.91]),
}


@pytest.mark.parametrize("case", HAND_COMPUTED)
def test_the_first_two_steps_equal_the_hand_computed_values(case):
    optimizer, expected_first, expected_second = HAND_COMPUTED[case]
    first, second = two_steps(optimizer)
    np.testing.assert_allclose(first, expected_first, rtol=0, atol=1e-9)
    np.testing.assert_allclose(second, expected_second, rtol=0, atol=1e-9)
    assert optimizer.t == 2


@pytest.mark.parametrize("make", [SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW])
def test_every_optimizer_keeps_float32_and_leaves_the_gradients_alone(make):
    params = [np.ones((3, 2), np.float32), np.ones(2, np.float32)]
    grads = [np.full((3, 2), 0.5, np.float32), np.full(2, -0.5, np.float32)]
    before = [g.copy() for g in grads]
    make(lr=0.1, weight_decay=0.01).update(params, grads)
    assert all(p.dtype == np.float32 for p in params)
    assert all(np.array_equal(g, b) for g, b in zip(grads, before))
    assert params[0][0, 0] < 1 and params[1][0] > 1


def test_adagrad_effective_learning_rate_only_shrinks():
    opt = AdaGrad(lr=0.1)
    w = [np.zeros(1)]
    rates = []
    for g in [1.0, 0.0, 2.0, 0.0]:
        opt.update(w, [np.array([g])])
        rates.append(opt.lr / (np.sqrt(opt.h[0][0]) + opt.delta))
    assert rates == sorted(rates, reverse=True)
    assert rates[-1] == pytest.approx(0.1 / math.sqrt(5))


def test_schedules():
    step = optimizers.step_decay(every=10, factor=0.1)
    assert [step(t) for t in (0, 9, 10, 25)] == pytest.approx([1, 1, 0.1, 0.01])
    cosine = optimizers.cosine_decay(total=100, min_factor=0.1)
    assert [cosine(t) for t in (0, 50, 100, 200)] == pytest.approx([1, 0.55, 0.1, 0.1])
    opt = Momentum(lr=0.2, schedule=cosine)
    assert opt.current_lr() == pytest.approx(0.2)


@pytest.mark.parametrize("call, error, message", [
    (lambda: SGD(lr=0), ValueError, "SGD: the learning rate lr must be a positive number"),
    (lambda: Momentum(momentum=1.0), ValueError, r"Momentum: momentum must lie in \[0, 1\)"),
    (lambda: RMSProp(rho=-0.1), ValueError, "RMSProp: rho must lie"),
    (lambda: Adam(beta2=1.5), ValueError, "Adam: beta2 must lie"),
    (lambda: AdaGrad(delta=0), ValueError, "AdaGrad: delta must be a small positive number"),
    (lambda: SGD(weight_decay=-1), ValueError, "SGD: weight_decay must be a number ≥ 0"),
    (lambda: Momentum(l1_decay=-0.1), ValueError, "Momentum: l1_decay must be a number ≥ 0"),
    (lambda: Adam(schedule=0.5), TypeError, "Adam: schedule must be a function"),
])
def test_bad_hyperparameters_are_rejected_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("params, grads, error, message", [
    ([np.ones(2), np.ones(2)], [np.ones(2)], ValueError, "Adam.update: 2 parameters but 1 gradients"),
    ([np.ones((2, 3))], [np.ones(3)], ValueError, r"Adam.update: gradient 0 has shape \(3,\) but its parameter has \(2, 3\)"),
    ([np.ones(3, dtype=int)], [np.ones(3)], TypeError, "Adam.update: parameter 0 must be a float ndarray"),
    ([[1.0, 2.0]], [np.ones(2)], TypeError, "Adam.update: parameter 0 must be a float ndarray"),
    ([np.ones(2)], [np.array([1.0, np.nan])], FloatingPointError, "Adam.update: gradient 0 contains NaN"),
])
def test_bad_parameters_and_gradients_are_rejected_by_name(params, grads, error, message):
    with pytest.raises(error, match=message):
        Adam().update(params, grads)


def test_one_optimizer_serves_one_network():
    opt = Momentum()
    opt.update([np.ones(2)], [np.ones(2)])
    with pytest.raises(ValueError, match="use one optimizer per network"):
        opt.update([np.ones(3)], [np.ones(3)])


# --- PyTorch's twins (optional) ---------------------------------------------------------------

TORCH_TWINS = {
    "sgd": (lambda: SGD(lr=0.1, weight_decay=0.01), "SGD", dict(lr=0.1, weight_decay=0.01)),
    "momentum": (lambda: Momentum(lr=0.1, momentum=0.9), "SGD", dict(lr=0.1, momentum=0.9)),
    "nesterov": (lambda: Nesterov(lr=0.1, momentum=0.9), "SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    "adagrad": (lambda: AdaGrad(lr=0.1, delta=1e-10), "Adagrad", dict(lr=0.1, eps=1e-10)),
    "rmsprop": (lambda: RMSProp(lr=0.01, rho=0.99, delta=1e-8), "RMSprop", dict(lr=0.01, alpha=0.99, eps=1e-8)),
    "adam": (lambda: Adam(lr=0.01, weight_decay=0.01), "Adam", dict(lr=0.01, weight_decay=0.01)),
    "adamw": (lambda: AdamW(lr=0.01, weight_decay=0.1), "AdamW", dict(lr=0.01, weight_decay=0.1)),
}


@pytest.mark.parametrize("case", TORCH_TWINS)
def test_the_same_steps_as_torch_optim(case):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional: pip install torch==2.13.0)")
    make, torch_name, torch_kwargs = TORCH_TWINS[case]
    rng = np.random.default_rng(0)
    w = rng.normal(size=(3, 4))
    gradients = rng.normal(size=(5, 3, 4))
    twin = torch.tensor(w.copy(), requires_grad=True)
    torch_opt = getattr(torch.optim, torch_name)([twin], **torch_kwargs)
    ours = make()
    for g in gradients:
        ours.update([w], [g])
        twin.grad = torch.tensor(g)
        torch_opt.step()
    np.testing.assert_allclose(w, twin.detach().numpy(), rtol=0, atol=1e-6)
