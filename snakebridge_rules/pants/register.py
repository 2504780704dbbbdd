"""Pants backend `snakebridge_rules.pants`: the `elixir_bindings` target and its goals.

Enable it in pants.toml: `backend_packages.add = ["snakebridge_rules.pants"]`.
"""

from snakebridge_rules.pants import goal
from snakebridge_rules.pants import rules as bindings_rules
from snakebridge_rules.pants.target_types import ElixirBindingsTarget


def target_types():
    return [ElixirBindingsTarget]


def rules():
    return [*bindings_rules.rules(), *goal.rules()]
