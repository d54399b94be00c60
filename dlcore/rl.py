"""Reinforcement learning (強化学習): returns, action selection, dynamic programming, tabular agents, REINFORCE.

Environments are gymnasium's (≥ 1.0 API: ``reset(seed=…)`` → (obs, info), ``step(a)`` → (obs, reward,
terminated, truncated, info)); the agents are dlcore code and share one interface, which ``run_episode`` drives:
``start_episode()``, ``act(obs)``, ``step(obs, action, reward, next_obs, next_action, terminated)``,
``end_episode()``.

- ``discounted_returns``: G_t = r_{t+1} + γ G_{t+1} (収益, 割引率 γ).
- ``epsilon_greedy`` (ε-greedy 法) and ``softmax_probabilities`` (π(a) = exp(Q(a)/T) / Σ_b exp(Q(b)/T), 温度 T);
  ``run_bandits`` plays either on many multi-armed bandits (多腕バンディット) at once.
- ``tabular_model`` reads a toy-text environment's transition table; ``policy_evaluation`` solves the Bellman
  expectation equation V = R_π + γ P_π V exactly, ``value_iteration`` the Bellman optimality equation.
- ``MonteCarlo``, ``Sarsa`` and ``QLearning``: tabular action values Q (S, A), ε-greedy behaviour.
- ``Reinforce``: a softmax policy network (``network.make_mlp``) trained by the policy gradient.
"""

import numbers

import numpy as np

from .network import make_mlp
from .optimizers import Adam

__all__ = ["discounted_returns", "epsilon_greedy", "softmax_probabilities", "run_bandits", "tabular_model",
           "policy_evaluation", "value_iteration", "MonteCarlo", "Sarsa", "QLearning", "run_episode", "greedy_path",
           "policy_gradient_logits", "Reinforce"]


def _check_gamma(owner, gamma):
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real) or not 0 <= gamma <= 1:
        raise ValueError(f"{owner}: gamma (the discount rate) must lie in [0, 1], got {gamma!r}")
    return float(gamma)


def _check_probability(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(f"{owner}: {name} must lie in [0, 1], got {value!r}")
    return float(value)


def _check_temperature(owner, temperature):
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or not temperature > 0:
        raise ValueError(f"{owner}: temperature must be a number > 0, got {temperature!r}")
    return float(temperature)


def discounted_returns(rewards, gamma):
    """G_t = Σ_k γ^k r_{t+k+1} for every step t of one episode: G_t = r_{t+1} + γ G_{t+1}, G_T = 0."""
    gamma = _check_gamma("discounted_returns", gamma)
    rewards = np.asarray(rewards, dtype=float)
    if rewards.ndim != 1:
        raise ValueError(f"discounted_returns: rewards must be 1-D (one episode), got shape {rewards.shape}")
    returns, following = np.empty_like(rewards), 0.0
    for t in range(len(rewards) - 1, -1, -1):           # backwards in time: each G_t needs G_{t+1}
        following = rewards[t] + gamma * following
        returns[t] = following
    return returns


def epsilon_greedy(q_values, epsilon, rng):
    """An action: uniformly random with probability ε, otherwise the best one (ties broken at random)."""
    q_values = np.asarray(q_values)
    if q_values.ndim != 1 or not len(q_values):
        raise ValueError(f"epsilon_greedy: q_values must be the action values of one state (A,), got shape "
                         f"{q_values.shape}")
    epsilon = _check_probability("epsilon_greedy", "epsilon", epsilon)
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    best = np.flatnonzero(q_values == q_values.max())
    return int(best[rng.integers(len(best))]) if len(best) > 1 else int(best[0])


def softmax_probabilities(q_values, temperature):
    """π(a) = exp(Q(a)/T) / Σ_b exp(Q(b)/T) over the last axis (large T: uniform; T → 0: greedy)."""
    scaled = np.asarray(q_values, dtype=float) / _check_temperature("softmax_probabilities", temperature)
    e = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def run_bandits(means, steps, epsilon=None, temperature=None, noise=1.0, seed=0):
    """Sample-average learning on many multi-armed bandits at once (多腕バンディット), one row of ``means`` each.

    Arm a of bandit i pays r ~ N(means[i, a], noise²).  At every step each bandit picks an arm, ε-greedy (ties
    broken at random) or, given ``temperature`` T instead, from π(a) = exp(Q(a)/T) / Σ_b exp(Q(b)/T), and moves
    its estimate Q(a) ← Q(a) + (r − Q(a)) / n(a) (n(a): the pulls of a so far; Q starts at 0).
    Returns the rewards and the arms chosen, both (steps, bandits).
    """
    name = "run_bandits"
    means = np.asarray(means, dtype=float)
    if means.ndim != 2 or not means.size:
        raise ValueError(f"{name}: means must be (bandits, arms), got shape {means.shape}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"{name}: steps must be an integer ≥ 1, got {steps!r}")
    if (epsilon is None) == (temperature is None):
        raise ValueError(f"{name}: give either epsilon (ε-greedy) or temperature (softmax), not both or neither")
    if epsilon is not None:
        epsilon = _check_probability(name, "epsilon", epsilon)
    else:
        temperature = _check_temperature(name, temperature)
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or noise < 0:
        raise ValueError(f"{name}: noise (the standard deviation of a reward) must be a number ≥ 0, got {noise!r}")
    n_bandits, n_arms = means.shape
    rng, rows = np.random.default_rng(seed), np.arange(n_bandits)
    Q, pulls = np.zeros((n_bandits, n_arms)), np.zeros((n_bandits, n_arms))
    rewards, arms = np.empty((steps, n_bandits)), np.empty((steps, n_bandits), dtype=int)
    for t in range(steps):                                          # each step needs the estimates of the last
        if temperature is None:
            best = Q == Q.max(axis=1, keepdims=True)
            arm = np.argmax(best * rng.random(Q.shape), axis=1)     # a random one of the best arms
            explore = rng.random(n_bandits) < epsilon
            arm = np.where(explore, rng.integers(n_arms, size=n_bandits), arm)
        else:
            cumulative = softmax_probabilities(Q, temperature).cumsum(axis=1)
            arm = np.minimum((cumulative < rng.random((n_bandits, 1))).sum(axis=1), n_arms - 1)
        reward = means[rows, arm] + noise * rng.standard_normal(n_bandits)
        pulls[rows, arm] += 1
        Q[rows, arm] += (reward - Q[rows, arm]) / pulls[rows, arm]
        rewards[t], arms[t] = reward, arm
    return rewards, arms


def tabular_model(env):
    """(P, R) of a toy-text environment: P[s, a, s'] the probability of moving on to s' *without* terminating,
    R[s, a] the expected reward, read from ``env.unwrapped.P`` (lists of (prob, next, reward, terminated))."""
    table = getattr(getattr(env, "unwrapped", env), "P", None)
    if not isinstance(table, dict):
        raise TypeError(f"tabular_model: {type(env).__name__} has no transition table env.unwrapped.P "
                        "(toy-text environments such as CliffWalking-v1 and FrozenLake-v1 have one)")
    n_states, n_actions = len(table), len(table[0])
    P, R = np.zeros((n_states, n_actions, n_states)), np.zeros((n_states, n_actions))
    for s, actions in table.items():
        for a, outcomes in actions.items():
            for prob, nxt, reward, terminated in outcomes:
                R[s, a] += prob * reward
                if not terminated:
                    P[s, a, nxt] += prob
    return P, R


def _check_model(owner, P, R):
    P, R = np.asarray(P, dtype=float), np.asarray(R, dtype=float)
    if P.ndim != 3 or P.shape[0] != P.shape[2] or R.shape != P.shape[:2]:
        raise ValueError(f"{owner}: expected P (S, A, S) and R (S, A), got {P.shape} and {R.shape}")
    if np.any(P < 0) or np.any(P.sum(axis=2) > 1 + 1e-9):
        raise ValueError(f"{owner}: every P[s, a] must hold probabilities summing to at most 1 (the rest terminates)")
    return P, R


def policy_evaluation(P, R, policy, gamma):
    """V^π exactly: the solution of V = R_π + γ P_π V (ベルマン期待方程式), policy (S, A) = π(a | s)."""
    name = "policy_evaluation"
    P, R = _check_model(name, P, R)
    gamma, policy = _check_gamma(name, gamma), np.asarray(policy, dtype=float)
    if policy.shape != R.shape or np.any(policy < 0) or not np.allclose(policy.sum(axis=1), 1):
        raise ValueError(f"{name}: policy must be (S, A) = {R.shape} with rows of probabilities, got {policy.shape}")
    P_pi, R_pi = np.einsum("sa,sat->st", policy, P), np.sum(policy * R, axis=1)
    system = np.eye(len(R)) - gamma * P_pi
    if np.linalg.matrix_rank(system) < len(R):
        raise ValueError(f"{name}: V is not determined: with gamma={gamma} the policy never terminates from some "
                         "state (use gamma < 1 or a policy that reaches the end)")
    return np.linalg.solve(system, R_pi)


def value_iteration(P, R, gamma, tol=1e-10, max_iterations=10_000):
    """(V*, Q*) from V ← max_a [R + γ P V] (ベルマン最適方程式) until the largest change is below ``tol``."""
    name = "value_iteration"
    P, R = _check_model(name, P, R)
    gamma = _check_gamma(name, gamma)
    V = np.zeros(len(R))
    for _ in range(max_iterations):
        Q = R + gamma * P @ V
        change, V = np.max(np.abs(Q.max(axis=1) - V)), Q.max(axis=1)
        if change < tol:
            return V, R + gamma * P @ V
    raise RuntimeError(f"{name}: no convergence in {max_iterations} iterations (gamma={gamma})")


class _TabularAgent:
    """Action values Q (S, A) from zero, ε-greedy behaviour; ``alpha`` is the step size (学習率 α)."""

    def __init__(self, n_states, n_actions, alpha=0.5, gamma=1.0, epsilon=0.1, seed=0):
        owner = type(self).__name__
        for label, value in (("n_states", n_states), ("n_actions", n_actions)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{owner}: {label} must be an integer ≥ 1, got {value!r}")
        self.alpha = _check_probability(owner, "alpha", alpha)
        self.gamma = _check_gamma(owner, gamma)
        self.epsilon = _check_probability(owner, "epsilon", epsilon)
        self.Q = np.zeros((n_states, n_actions))
        self.rng = np.random.default_rng(seed)

    def start_episode(self):
        pass

    def end_episode(self):
        pass

    def act(self, state):
        return epsilon_greedy(self.Q[state], self.epsilon, self.rng)

    def greedy_policy(self):
        """The greedy action of every state, argmax_a Q(s, a) (S,)."""
        return self.Q.argmax(axis=1)

    def _move(self, state, action, target):
        self.Q[state, action] += self.alpha * (target - self.Q[state, action])


class Sarsa(_TabularAgent):
    """SARSA (on-policy TD): Q(s, a) ← Q(s, a) + α [r + γ Q(s', a') − Q(s, a)], a' the action it will take."""

    def step(self, state, action, reward, next_state, next_action, terminated):
        self._move(state, action, reward + (0.0 if terminated else self.gamma * self.Q[next_state, next_action]))


class QLearning(_TabularAgent):
    """Q-learning (off-policy TD): Q(s, a) ← Q(s, a) + α [r + γ max_b Q(s', b) − Q(s, a)]."""

    def step(self, state, action, reward, next_state, next_action, terminated):
        self._move(state, action, reward + (0.0 if terminated else self.gamma * self.Q[next_state].max()))


class MonteCarlo(_TabularAgent):
    """Every-visit Monte Carlo (モンテカルロ法): after the episode, Q(s_t, a_t) ← Q + α [G_t − Q] for every t."""

    def start_episode(self):
        self.episode = []

    def step(self, state, action, reward, next_state, next_action, terminated):
        self.episode.append((state, action, reward))

    def end_episode(self):
        states, actions, rewards = zip(*self.episode)
        for s, a, g in zip(states, actions, discounted_returns(rewards, self.gamma)):
            self._move(s, a, g)                          # in time order, so a repeated (s, a) moves twice


def run_episode(env, agent, seed=None, learn=True, max_steps=10_000):
    """Play one episode with ``agent`` (learning from it unless ``learn=False``); returns the sum of rewards."""
    obs, _ = env.reset(seed=seed)
    agent.start_episode()
    action, total = agent.act(obs), 0.0
    for _ in range(max_steps):
        next_obs, reward, terminated, truncated, _ = env.step(action)
        total += reward
        next_action = None if terminated else agent.act(next_obs)
        if learn:
            agent.step(obs, action, reward, next_obs, next_action, terminated)
        if terminated or truncated:
            break
        obs, action = next_obs, next_action
    if learn:
        agent.end_episode()
    return total


def greedy_path(env, policy, max_steps=200, seed=None):
    """(states visited, sum of rewards) following the deterministic ``policy`` (S,) from the start state."""
    state, _ = env.reset(seed=seed)
    states, total = [int(state)], 0.0
    for _ in range(max_steps):
        state, reward, terminated, truncated, _ = env.step(int(policy[state]))
        states.append(int(state))
        total += reward
        if terminated or truncated:
            break
    return states, total


def policy_gradient_logits(probabilities, actions, weights):
    """∂L/∂logits of L = −(1/T) Σ_t w_t log π(a_t | s_t) for a softmax policy: w_t (π_t − onehot(a_t)) / T."""
    probabilities, actions, weights = np.asarray(probabilities), np.asarray(actions), np.asarray(weights)
    if probabilities.ndim != 2 or actions.shape != (len(probabilities),) or weights.shape != actions.shape:
        raise ValueError(f"policy_gradient_logits: expected probabilities (T, A), actions (T,) and weights (T,), got "
                         f"{probabilities.shape}, {actions.shape} and {weights.shape}")
    grad = probabilities.copy()
    grad[np.arange(len(actions)), actions] -= 1
    return grad * weights[:, None] / len(actions)


class Reinforce:
    """REINFORCE (方策勾配法): θ ← θ + η ∇J with ∇J ≈ (1/T) Σ_t ∇_θ log π_θ(a_t | s_t) Ĝ_t, one episode at a time.

    The policy π_θ(a | s) = softmax(f_θ(s)) is ``network.make_mlp(sizes, activation="tanh")`` (sizes = [state
    size, hidden…, actions]), trained by Adam (learning rate η = ``lr``) on L = −(1/T) Σ_t Ĝ_t log π(a_t | s_t).
    ``returns``: "raw" uses Ĝ_t = G_t; "baseline" subtracts the episode's mean return (a baseline lowers the
    gradient's variance without changing its mean); "normalized" also divides by the standard deviation.
    """

    RETURNS = ("raw", "baseline", "normalized")

    def __init__(self, sizes, gamma=0.99, lr=0.01, returns="normalized", activation="tanh", seed=0):
        if returns not in self.RETURNS:
            raise ValueError(f"Reinforce: returns must be one of {self.RETURNS}, got {returns!r}")
        self.gamma = _check_gamma("Reinforce", gamma)
        self.network = make_mlp(sizes, activation=activation, output="softmax",
                                init="he" if activation == "relu" else "xavier", seed=seed, dtype=np.float64)
        self.optimizer, self.returns = Adam(lr=lr), returns
        self.rng = np.random.default_rng([seed, 1])
        self.episode = []

    def probabilities(self, states):
        """π(· | s) for a batch of states (T, state size) → (T, A)."""
        return softmax_probabilities(self.network.predict(np.asarray(states, dtype=np.float64)), 1.0)

    def act(self, obs):
        return int(self.rng.choice(self.network.params[-1].shape[0], p=self.probabilities(obs[None])[0]))

    def start_episode(self):
        self.episode = []

    def step(self, state, action, reward, next_state, next_action, terminated):
        self.episode.append((state, action, reward))

    def weights(self, rewards):
        """Ĝ_t of one episode: the discounted returns, centred or normalised as ``returns`` says."""
        g = discounted_returns(rewards, self.gamma)
        if self.returns != "raw":
            g = g - g.mean()
        if self.returns == "normalized":
            g = g / (g.std() + 1e-8)
        return g

    def gradient(self, states, actions, rewards):
        """∂L/∂θ for one episode (the network's grads, filled in place and returned)."""
        states = np.asarray(states, dtype=np.float64)
        dout = policy_gradient_logits(self.probabilities(states), np.asarray(actions), self.weights(rewards))
        layers = self.network.layers
        for layer in reversed(layers):
            dout = layer.backward(dout)
        return self.network.grads

    def end_episode(self):
        states, actions, rewards = zip(*self.episode)
        self.optimizer.update(self.network.params, self.gradient(states, actions, rewards))
