"""Typical learner mistakes in 02_activation and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

MISTAKES = {
    "step_uses_if_on_an_array": (
        {"ex_step_function": "def step_function(x):\n    if x > 0:\n        return 1\n    return 0\n"},
        {"test_step_function_basic", "test_step_function_hidden"},
    ),
    "step_returns_booleans": (
        {"ex_step_function": "def step_function(x):\n    return x > 0\n"},
        {"test_step_function_hidden"},
    ),
    "sigmoid_with_the_wrong_sign": (
        {"ex_sigmoid": "def sigmoid(x):\n    return 1 / (1 + np.exp(x))\n"},
        {"test_sigmoid_basic", "test_sigmoid_hidden"},
    ),
    "sigmoid_overflows_at_minus_1000": (
        {"ex_sigmoid": "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"},
        {"test_sigmoid_hidden"},
    ),
    "d_sigmoid_written_as_sigmoid": (
        {"ex_d_sigmoid": "def d_sigmoid(x):\n    return sigmoid(x)\n"},
        {"test_d_sigmoid_basic", "test_d_sigmoid_hidden"},
    ),
    "d_sigmoid_of_the_output_instead_of_the_input": (
        {"ex_d_sigmoid": "def d_sigmoid(x):\n    return x * (1 - x)\n"},
        {"test_d_sigmoid_basic", "test_d_sigmoid_hidden"},
    ),
    "relu_returns_x_for_negatives": (
        {"ex_relu": "def relu(x):\n    return np.where(x > 0, x, x)\n"},
        {"test_relu_basic", "test_relu_hidden"},
    ),
    "relu_overwrites_its_input": (
        {"ex_relu": "def relu(x):\n    x[x < 0] = 0\n    return x\n"},
        {"test_relu_hidden"},
    ),
    "relu_calls_dlcore_functions": (
        {"ex_relu": "def relu(x):\n    from dlcore import functions\n    return functions.relu(x)\n"},
        {"test_relu_basic", "test_relu_hidden"},
    ),
    "d_relu_written_as_relu": (
        {"ex_d_relu": "def d_relu(x):\n    return np.maximum(x, 0)\n"},
        {"test_d_relu_basic", "test_d_relu_hidden"},
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 1\n", "q2": "answer_q2 = 0.25\n", "q3": "answer_q3 = {2, 4, 6}\n"},
        {"test_q1", "test_q2", "test_q3"},
    ),
}
