"""Typical learner mistakes in 21_reinforcement and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_SARSA = '''def expected_sarsa_targets(rewards, next_q, terminated, gamma, epsilon):
    {check}
    next_q = np.asarray(next_q, dtype=float)
    best = {best}
    policy = {policy}
    expected = np.sum(policy * next_q, axis=1)
    return {result}
'''
_SARSA_CHECK = ("for name, value in ((\"gamma\", gamma), (\"epsilon\", epsilon)):\n"
                "        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) "
                "or not 0 <= value <= 1:\n"
                "            raise ValueError(name + ' は 0 以上 1 以下の数です')")


def sarsa(check=_SARSA_CHECK, best="next_q == next_q.max(axis=1, keepdims=True)",
          policy="epsilon / next_q.shape[1] + (1 - epsilon) * best / best.sum(axis=1, keepdims=True)",
          result="np.asarray(rewards, dtype=float) + gamma * np.where(terminated, 0.0, expected)"):
    """The model answer of expected_sarsa_targets with one piece replaced."""
    return _SARSA.format(check=check, best=best, policy=policy, result=result)


_NSTEP = '''def n_step_targets(rewards, values, n, gamma):
    {check}
    if isinstance(gamma, (bool, np.bool_)) or not isinstance(gamma, (int, float, np.integer, np.floating)) or not 0 <= gamma <= 1:
        raise ValueError("gamma は 0 以上 1 以下の数です")
    rewards, values = np.asarray(rewards, dtype=float), np.asarray(values, dtype=float)
    if rewards.ndim != 1 or rewards.shape != values.shape:
        raise ValueError("rewards と values は同じ長さの 1 次元の配列です")
    length = len(rewards)
    targets = np.zeros(length)
    for k in range({steps}):
        targets[:length - k] += {reward_term}
    if {bootstrap_when}:
        targets[:length - n] += {bootstrap}
    return targets
'''
_NSTEP_CHECK = ("if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:\n"
                "        raise ValueError('n は正の整数です')")


def nstep(check=_NSTEP_CHECK, steps="min(n, length)", reward_term="gamma ** k * rewards[k:]", bootstrap_when="n < length",
          bootstrap="gamma ** n * values[n:]"):
    """The model answer of n_step_targets with one piece replaced."""
    return _NSTEP.format(check=check, steps=steps, reward_term=reward_term, bootstrap_when=bootstrap_when,
                         bootstrap=bootstrap)


_PG = '''def softmax_policy_gradient(preferences, actions, returns, temperature, baseline):
    {check}
    preferences, actions, returns = np.asarray(preferences), np.asarray(actions), np.asarray(returns)
    if preferences.ndim != 2 or actions.shape != (len(preferences),) or returns.shape != actions.shape:
        raise ValueError("preferences (N, A), actions (N,), returns (N,) の形です")
    scaled = {scaled}
    e = {exp}
    grad = e / e.sum(axis=1, keepdims=True)
    grad[np.arange(len(actions)), actions] -= 1
    weight = {weight}
    return {result}
'''
_PG_CHECK = ("if isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, (int, float, np.integer, np.floating)) "
             "or not temperature > 0:\n"
             "        raise ValueError('temperature は正の数です')")


def pg(check=_PG_CHECK, scaled="preferences / temperature", exp="np.exp(scaled - scaled.max(axis=1, keepdims=True))",
       weight="(returns - baseline) / (len(actions) * temperature)",
       result="(grad * weight[:, None]).astype(preferences.dtype, copy=False)"):
    """The model answer of softmax_policy_gradient with one piece replaced."""
    return _PG.format(check=check, scaled=scaled, exp=exp, weight=weight, result=result)


SARSA = {"test_expected_sarsa_targets_basic", "test_expected_sarsa_targets_hidden"}
NSTEP = {"test_n_step_targets_basic", "test_n_step_targets_hidden"}
PG = {"test_softmax_policy_gradient_basic", "test_softmax_policy_gradient_hidden"}

MISTAKES = {
    "sarsa_uses_the_maximum_like_q_learning": (
        {"ex_expected_sarsa_targets": sarsa(policy="best / best.sum(axis=1, keepdims=True)")},
        SARSA,
    ),
    "sarsa_averages_as_if_every_action_were_random": (
        {"ex_expected_sarsa_targets": sarsa(policy="np.full(next_q.shape, 1 / next_q.shape[1])")},
        SARSA,
    ),
    "sarsa_bootstraps_after_the_end": (
        {"ex_expected_sarsa_targets": sarsa(result="np.asarray(rewards, dtype=float) + gamma * expected")},
        SARSA,
    ),
    "sarsa_leaves_out_the_random_share_of_the_best_action": (
        {"ex_expected_sarsa_targets": sarsa(policy="np.where(best, 1 - epsilon, epsilon / next_q.shape[1])")},
        SARSA,
    ),
    "sarsa_spreads_epsilon_over_the_other_actions_only": (
        {"ex_expected_sarsa_targets": sarsa(policy="np.where(best, 1 - epsilon, epsilon / (next_q.shape[1] - 1))")},
        SARSA,
    ),
    "sarsa_gives_every_tied_best_action_the_full_share": (
        {"ex_expected_sarsa_targets": sarsa(policy="epsilon / next_q.shape[1] + (1 - epsilon) * best")},
        {"test_expected_sarsa_targets_hidden"},
    ),
    "sarsa_accepts_any_gamma_and_epsilon": (
        {"ex_expected_sarsa_targets": sarsa(check="pass")},
        {"test_expected_sarsa_targets_hidden"},
    ),
    "sarsa_through_dlcore": (
        {"ex_expected_sarsa_targets": sarsa(best="rl.softmax_probabilities(next_q, 1e-12) > 0").replace(
            "def expected_sarsa_targets", "from dlcore import rl\n\ndef expected_sarsa_targets", 1)},
        SARSA,
    ),
    "nstep_bootstraps_one_step_early": (
        {"ex_n_step_targets": nstep(bootstrap="gamma ** n * values[n - 1:-1]")},
        NSTEP,
    ),
    "nstep_discounts_the_bootstrap_by_n_minus_1": (
        {"ex_n_step_targets": nstep(bootstrap="gamma ** (n - 1) * values[n:]")},
        NSTEP,
    ),
    "nstep_discounts_the_first_reward_too": (
        {"ex_n_step_targets": nstep(reward_term="gamma ** (k + 1) * rewards[k:]")},
        NSTEP,
    ),
    "nstep_wraps_around_the_end_of_the_episode": (
        {"ex_n_step_targets": nstep(bootstrap_when="True").replace("targets[:length - n] += gamma ** n * values[n:]",
                                                                   "targets += gamma ** n * np.roll(values, -n)")},
        NSTEP,
    ),
    "nstep_loops_n_times_even_past_the_end": (
        {"ex_n_step_targets": nstep(steps="n")},
        {"test_n_step_targets_hidden"},
    ),
    "nstep_accepts_n_of_0": (
        {"ex_n_step_targets": nstep(check="n = int(n)")},
        {"test_n_step_targets_hidden"},
    ),
    "nstep_adds_into_the_rewards_array": (
        {"ex_n_step_targets": nstep().replace("    targets = np.zeros(length)\n",
                                              "    targets = rewards\n").replace("range(min(n, length))",
                                                                                 "range(1, min(n, length))")},
        NSTEP,
    ),
    "nstep_through_dlcore": (
        {"ex_n_step_targets": nstep().replace("    length = len(rewards)\n",
                                              "    length = len(rewards)\n    if n >= length:\n"
                                              "        return rl.discounted_returns(rewards, gamma)\n").replace(
            "def n_step_targets", "from dlcore import rl\n\ndef n_step_targets", 1)},
        NSTEP,
    ),
    "pg_forgets_the_temperature_in_the_chain_rule": (
        {"ex_softmax_policy_gradient": pg(weight="(returns - baseline) / len(actions)")},
        PG,
    ),
    "pg_divides_by_the_temperature_twice": (
        {"ex_softmax_policy_gradient": pg(weight="(returns - baseline) / (len(actions) * temperature ** 2)")},
        PG,
    ),
    "pg_forgets_the_baseline": (
        {"ex_softmax_policy_gradient": pg(weight="returns / (len(actions) * temperature)")},
        PG,
    ),
    "pg_ascends_instead_of_descending_the_loss": (
        {"ex_softmax_policy_gradient": pg(weight="-(returns - baseline) / (len(actions) * temperature)")},
        PG,
    ),
    "pg_sums_instead_of_averaging_over_steps": (
        {"ex_softmax_policy_gradient": pg(weight="(returns - baseline) / temperature")},
        PG,
    ),
    "pg_overflows_without_the_max_trick": (
        {"ex_softmax_policy_gradient": pg(exp="np.exp(scaled)")},
        {"test_softmax_policy_gradient_hidden"},
    ),
    "pg_upcasts_float32": (
        {"ex_softmax_policy_gradient": pg(result="grad * weight[:, None]")},
        {"test_softmax_policy_gradient_hidden"},
    ),
    "pg_accepts_a_temperature_of_0": (
        {"ex_softmax_policy_gradient": pg(check="temperature = float(temperature) or 1.0")},
        {"test_softmax_policy_gradient_hidden"},
    ),
    "pg_through_dlcore": (
        {"ex_softmax_policy_gradient": "from dlcore import rl\n\n"
                                       "def softmax_policy_gradient(preferences, actions, returns, temperature, baseline):\n"
                                       "    pi = rl.softmax_probabilities(preferences, temperature)\n"
                                       "    weights = (np.asarray(returns) - baseline) / temperature\n"
                                       "    return rl.policy_gradient_logits(pi, np.asarray(actions), weights)\n"},
        PG,
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 7.0\n",                # the plain sum of the rewards, without discounting
         "q2": "answer_q2 = 0.95\n",               # SARSA's target with the action actually chosen, not the maximum
         "q3": "answer_q3 = 0.8\n",                # 1 − ε, forgetting that the random choice also picks the best action
         "q4": "answer_q4 = 0.6652\n",             # the softmax without the temperature (T = 1)
         "q5": "answer_q5 = 1\n"},                 # Q-learning taken for on-policy
        {"test_q1", "test_q2", "test_q3", "test_q4", "test_q5"},
    ),
}
