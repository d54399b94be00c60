"""dlcore.rl on tiny deterministic environments whose values are known exactly (gymnasium's API, no gymnasium)."""

import numpy as np
import pytest

from dlcore import rl
from dlcore.gradcheck import numerical_gradient, parameter_gradient, relative_error


class Corridor:
    """States 0..n−1 in a row, start at 0; action 0 = left (a wall at 0), 1 = right; reward −1 per step; reaching
    n − 1 terminates.  V*(s) = −(n − 1 − s) without discounting.  Same API as a gymnasium toy-text environment."""

    def __init__(self, n=5):
        self.n = n
        self.P = {s: {a: [(1.0, self._move(s, a), -1, self._move(s, a) == n - 1)] for a in (0, 1)} for s in range(n)}
        self.state = None

    def _move(self, s, a):
        return max(s - 1, 0) if a == 0 else min(s + 1, self.n - 1)

    def reset(self, seed=None):
        self.state = 0
        return self.state, {}

    def step(self, action):
        self.state = self._move(self.state, action)
        return self.state, -1, self.state == self.n - 1, False, {}


class MatchBandit:
    """One-step episodes: the observation is a one-hot of a random context c ∈ {0, 1}; action c earns 1, else 0."""

    def __init__(self, seed=0):
        self.rng = np.random.default_rng(seed)
        self.context = None

    def reset(self, seed=None):
        self.context = int(self.rng.integers(2))
        return np.eye(2)[self.context], {}

    def step(self, action):
        return np.eye(2)[self.context], float(action == self.context), True, False, {}


def test_discounted_returns_by_hand():
    np.testing.assert_allclose(rl.discounted_returns([1, 0, 2], 0.5), [1 + 0.5 * 0 + 0.25 * 2, 0 + 0.5 * 2, 2])
    np.testing.assert_allclose(rl.discounted_returns([-1] * 4, 1.0), [-4, -3, -2, -1])
    assert rl.discounted_returns([], 0.9).shape == (0,)


def test_epsilon_greedy_explores_with_probability_epsilon_and_breaks_ties_at_random():
    rng = np.random.default_rng(0)
    q = np.array([0.0, 2.0, 1.0, 2.0])
    greedy = [rl.epsilon_greedy(q, 0.0, rng) for _ in range(2000)]
    assert set(greedy) == {1, 3} and abs(np.mean(np.array(greedy) == 1) - 0.5) < 0.05
    explore = np.bincount([rl.epsilon_greedy(np.array([5.0, 0, 0, 0]), 0.4, rng) for _ in range(20000)], minlength=4)
    np.testing.assert_allclose(explore / 20000, [0.6 + 0.1, 0.1, 0.1, 0.1], atol=0.015)


def test_softmax_probabilities_follow_the_temperature():
    q = np.array([1.0, 2.0, 4.0])
    np.testing.assert_allclose(rl.softmax_probabilities(q, 1.0), np.exp(q) / np.exp(q).sum())
    np.testing.assert_allclose(rl.softmax_probabilities(q, 1e4), 1 / 3, atol=1e-3)
    np.testing.assert_allclose(rl.softmax_probabilities(q, 0.01), [0, 0, 1], atol=1e-12)
    np.testing.assert_allclose(rl.softmax_probabilities(np.array([1000.0, 0.0]), 1.0), [1, 0])


def test_run_bandits_keeps_sample_averages_and_explores_as_told():
    means = np.tile([-1.0, -2.0, -3.0], (50, 1))
    rewards, arms = rl.run_bandits(means, 20, epsilon=0.0, noise=0.0, seed=0)
    assert rewards.shape == arms.shape == (20, 50)
    assert np.all(np.sort(arms[:3], axis=0).T == [0, 1, 2]) and np.all(arms[3:] == 0)   # each arm once (Q = 0 looks best)
    np.testing.assert_array_equal(rewards, means[0][arms])
    stuck = rl.run_bandits(np.tile([1.0, 2.0, 3.0], (200, 1)), 10, epsilon=0.0, noise=0.0, seed=1)[1]
    assert np.all(stuck == stuck[0]) and len(set(stuck[0])) == 3        # pure exploitation keeps its first arm
    _, random_arms = rl.run_bandits(np.zeros((400, 4)), 50, epsilon=1.0, seed=2)
    np.testing.assert_allclose(np.bincount(random_arms.ravel()) / random_arms.size, 0.25, atol=0.01)
    greedy = rl.run_bandits(means, 30, temperature=1e-3, noise=0.0, seed=3)[1]
    hot = rl.run_bandits(means, 30, temperature=1e3, noise=0.0, seed=3)[1]
    assert np.mean(greedy[5:] == 0) == 1 and abs(np.mean(hot == 0) - 1 / 3) < 0.03
    noisy, _ = rl.run_bandits(np.full((2000, 1), 0.5), 1, epsilon=0.1, seed=4)
    assert abs(noisy.mean() - 0.5) < 0.06 and abs(noisy.std() - 1) < 0.05


def test_tabular_model_and_value_iteration_give_the_exact_optimal_values():
    env = Corridor(5)
    P, R = rl.tabular_model(env)
    assert P.shape == (5, 2, 5) and np.all(R == -1) and P[3, 1].sum() == 0 and P[0, 0, 0] == 1
    V, Q = rl.value_iteration(P, R, gamma=1.0)
    np.testing.assert_allclose(V[:4], [-4, -3, -2, -1])
    np.testing.assert_array_equal(Q[:4].argmax(axis=1), 1)
    np.testing.assert_allclose(Q[1, 0], -1 + V[0])                  # Bellman: Q(s, a) = r + V*(s')
    V9, _ = rl.value_iteration(P, R, gamma=0.9)
    np.testing.assert_allclose(V9[2], -(1 + 0.9))


def test_policy_evaluation_solves_the_bellman_expectation_equation():
    P, R = rl.tabular_model(Corridor(4))
    uniform = np.full((4, 2), 0.5)
    V = rl.policy_evaluation(P, R, uniform, gamma=1.0)
    # By hand, from V = R_π + P_π V: V0 = −1 + ½V0 + ½V1, V1 = −1 + ½V0 + ½V2, V2 = −1 + ½V1 (V3 = 0 after the end)
    np.testing.assert_allclose(V[:3], [-12, -10, -6])
    np.testing.assert_allclose(V, R.mean(axis=1) + np.einsum("sa,sat,t->s", uniform, P, V))
    right = np.tile([0.0, 1.0], (4, 1))
    np.testing.assert_allclose(rl.policy_evaluation(P, R, right, 1.0), rl.value_iteration(P, R, 1.0)[0])
    with pytest.raises(ValueError, match="policy_evaluation: V is not determined"):
        rl.policy_evaluation(P, R, np.tile([1.0, 0.0], (4, 1)), gamma=1.0)   # always left never ends


@pytest.mark.parametrize("agent_class, alpha", [(rl.QLearning, 0.5), (rl.Sarsa, 0.5), (rl.MonteCarlo, 0.1)])
def test_tabular_agents_learn_the_optimal_greedy_policy_on_the_corridor(agent_class, alpha):
    env = Corridor(5)
    agent = agent_class(5, 2, alpha=alpha, gamma=1.0, epsilon=0.2, seed=0)
    returns = [rl.run_episode(env, agent) for _ in range(300)]
    np.testing.assert_array_equal(agent.greedy_policy()[:4], 1)
    states, total = rl.greedy_path(env, agent.greedy_policy())
    assert states == [0, 1, 2, 3, 4] and total == -4 and max(returns) == -4


def test_q_learning_converges_to_q_star_and_learns_nothing_when_told_not_to():
    env = Corridor(4)
    P, R = rl.tabular_model(env)
    q_star = rl.value_iteration(P, R, 1.0)[1]
    agent = rl.QLearning(4, 2, alpha=0.5, gamma=1.0, epsilon=1.0, seed=1)   # off-policy: a random behaviour suffices
    for _ in range(400):
        rl.run_episode(env, agent)
    np.testing.assert_allclose(agent.Q[:3], q_star[:3], atol=1e-3)
    before = agent.Q.copy()
    rl.run_episode(env, agent, learn=False)
    np.testing.assert_array_equal(agent.Q, before)


def test_sarsa_and_q_learning_targets_differ_by_the_next_action():
    sarsa, q_learning = rl.Sarsa(2, 2, alpha=1.0), rl.QLearning(2, 2, alpha=1.0)
    for agent in (sarsa, q_learning):
        agent.Q[1] = [-5.0, 3.0]
        agent.step(0, 0, -1.0, 1, 0, terminated=False)              # the next action is 0, not the best one
    assert sarsa.Q[0, 0] == -1 + -5 and q_learning.Q[0, 0] == -1 + 3
    q_learning.step(0, 1, 2.0, 1, None, terminated=True)           # no bootstrap after the end
    assert q_learning.Q[0, 1] == 2.0


def test_policy_gradient_logits_is_the_gradient_of_the_weighted_log_likelihood():
    rng = np.random.default_rng(2)
    logits, actions, weights = rng.normal(size=(5, 3)), rng.integers(3, size=5), rng.normal(size=5)

    def loss(z):
        log_pi = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -np.mean(weights * log_pi[np.arange(5), actions])

    grad = rl.policy_gradient_logits(rl.softmax_probabilities(logits, 1.0), actions, weights)
    assert relative_error(grad, numerical_gradient(loss, logits)) < 1e-8


def test_reinforce_gradient_matches_numerical_gradient_for_every_parameter():
    agent = rl.Reinforce([3, 4, 2], gamma=0.9, returns="baseline", seed=0)
    rng = np.random.default_rng(3)
    states, actions, rewards = rng.normal(size=(6, 3)), rng.integers(2, size=6), rng.normal(size=6)
    weights = agent.weights(rewards)
    np.testing.assert_allclose(weights, rl.discounted_returns(rewards, 0.9) - rl.discounted_returns(rewards, 0.9).mean())
    grads = [g.copy() for g in agent.gradient(states, actions, rewards)]

    def loss():
        return -np.mean(weights * np.log(agent.probabilities(states)[np.arange(6), actions]))

    for param, grad in zip(agent.network.params, grads):
        assert relative_error(grad, parameter_gradient(loss, param)) < 1e-6


def test_reinforce_learns_to_match_the_context_and_normalized_returns_have_unit_spread():
    agent = rl.Reinforce([2, 8, 2], gamma=1.0, lr=0.05, returns="raw", seed=0)
    env = MatchBandit(seed=0)
    for _ in range(300):
        rl.run_episode(env, agent)
    assert np.all(np.diag(agent.probabilities(np.eye(2))) > 0.9)
    g = rl.Reinforce([2, 2], returns="normalized").weights([1.0, 0.0, 3.0, 0.0])
    assert abs(g.mean()) < 1e-12 and g.std() == pytest.approx(1, rel=1e-6)


@pytest.mark.parametrize("call, message", [
    (lambda: rl.discounted_returns([1, 2], 1.5), r"discounted_returns: gamma \(the discount rate\) must lie in \[0, 1\]"),
    (lambda: rl.discounted_returns([[1, 2]], 0.9), "discounted_returns: rewards must be 1-D"),
    (lambda: rl.epsilon_greedy(np.zeros((2, 2)), 0.1, np.random.default_rng()),
     r"epsilon_greedy: q_values must be the action values of one state \(A,\)"),
    (lambda: rl.epsilon_greedy(np.zeros(2), -0.1, np.random.default_rng()), r"epsilon_greedy: epsilon must lie in"),
    (lambda: rl.softmax_probabilities(np.zeros(2), 0), "softmax_probabilities: temperature must be a number > 0"),
    (lambda: rl.run_bandits(np.zeros(3), 5, epsilon=0.1), r"run_bandits: means must be \(bandits, arms\)"),
    (lambda: rl.run_bandits(np.zeros((2, 3)), 0, epsilon=0.1), "run_bandits: steps must be an integer ≥ 1"),
    (lambda: rl.run_bandits(np.zeros((2, 3)), 5), "run_bandits: give either epsilon"),
    (lambda: rl.run_bandits(np.zeros((2, 3)), 5, epsilon=0.1, temperature=1.0), "run_bandits: give either epsilon"),
    (lambda: rl.run_bandits(np.zeros((2, 3)), 5, temperature=-1), "run_bandits: temperature must be a number > 0"),
    (lambda: rl.run_bandits(np.zeros((2, 3)), 5, epsilon=0.1, noise=-1), r"run_bandits: noise \(the standard"),
    (lambda: rl.value_iteration(np.zeros((2, 2, 3)), np.zeros((2, 2)), 0.9),
     r"value_iteration: expected P \(S, A, S\) and R \(S, A\)"),
    (lambda: rl.policy_evaluation(*rl.tabular_model(Corridor(3)), np.ones((3, 2)), 0.9),
     "policy_evaluation: policy must be"),
    (lambda: rl.QLearning(0, 2), "QLearning: n_states must be an integer ≥ 1, got 0"),
    (lambda: rl.Sarsa(3, 2, epsilon=2), r"Sarsa: epsilon must lie in \[0, 1\], got 2"),
    (lambda: rl.policy_gradient_logits(np.ones((3, 2)), np.zeros(2, int), np.zeros(3)),
     r"policy_gradient_logits: expected probabilities \(T, A\), actions \(T,\) and weights \(T,\)"),
    (lambda: rl.Reinforce([4, 2], returns="mean"), "Reinforce: returns must be one of"),
])
def test_bad_input_is_rejected_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_an_environment_without_a_table_is_rejected_by_name():
    with pytest.raises(TypeError, match="tabular_model: MatchBandit has no transition table"):
        rl.tabular_model(MatchBandit())
