"""A synthetic but realistic Elixir corpus for the scan benchmark.

Real application code mixes a few library calls into much ordinary code: module docs
in heredocs, aliases, pipes, sigils, nested `case`/`with`/`fn` blocks and comments, and
only some modules of an app call the Python library at all (`library_share`). The
generator is seeded, so the same size always gives the same bytes (and the same
expected calls), which makes the benchmark's figures comparable between runs.
"""

from __future__ import annotations

import random
from pathlib import Path

_FUNS = ["mean", "sqrt", "dot", "zeros", "clip", "arange", "std", "var", "argmax", "where"]
_WORDS = ["alpha", "beta", "gamma", "delta", "record", "value", "state", "acc", "item"]
# The modules a generated module calls: a bound library (numpy as Numpy or NP with its
# Linalg alias, pandas as Pandas or PD) or, in modules that use neither, an app's own
# modules of the same shape.
LIBRARY_NAMES = [{"lib": "Numpy", "short": "NP", "sub": "Numpy.Linalg"},
                 {"lib": "Pandas", "short": "PD", "sub": "Pandas.Plotting"}]
# The scan's --library flags: NP and PD are `alias ..., as:` names in the modules, which
# the scan resolves to Numpy and Pandas (a library is bound to one Elixir module).
LIBRARIES = ["numpy", "pandas"]
OTHER_NAMES = {"lib": "Bench.Stats", "short": "St", "sub": "Bench.Matrix"}


def _function(rng: random.Random, index: int, names: dict[str, str]) -> str:
    """One `def` with the shapes that stress a scanner: pipes, captures, nested blocks."""
    fun = rng.choice(_FUNS)
    word = rng.choice(_WORDS)
    lib, short = names["lib"], names["short"]
    return f'''
  @doc """
  Computes the {word} of the input (step {index}).

  Text like {lib}.{fun}(x) here is documentation and must never count.
  """
  @spec step_{index}(list(number()), keyword()) :: {{:ok, term()}} | {{:error, term()}}
  def step_{index}(values, opts \\\\ []) when is_list(values) do
    # a comment mentioning {lib}.{fun}(values) that is not a call
    scale = Keyword.get(opts, :scale, {index % 7 + 1})
    label = ~s(step #{{Integer.to_string({index})}} of #{{length(values)}})

    with {{:ok, {word}}} <- validate(values),
         shifted <- Enum.map({word}, &(&1 * scale)) do
      result =
        shifted
        |> {lib}.{fun}(axis: 0)
        |> {names["sub"].rpartition(".")[2]}.norm()
        |> then(fn x -> x + 1 end)

      case Map.get(%{{label: label}}, :label) do
        nil ->
          {{:error, :missing}}

        text when is_binary(text) ->
          Logger.debug("#{{text}}: #{{inspect(result)}}")
          {{:ok, {{result, &{short}.Random.normal/2, String.upcase(~S"no #{{call}} here")}}}}
      end
    else
      {{:error, reason}} -> {{:error, {{:step_{index}, reason}}}}
    end
  end
'''


def module_source(rng: random.Random, index: int, functions: int,
                  names: dict[str, str]) -> str:
    """One module: moduledoc, aliases, helper, then `functions` generated functions."""
    body = "".join(_function(rng, index * 1000 + i, names) for i in range(functions))
    lib, short = names["lib"], names["short"]
    return f'''defmodule Bench.App{index}.Worker do
  @moduledoc """
  Worker {index}: calls into {lib} through generated bindings.

      iex> {lib}.mean([1, 2, 3])
      2.0
  """
  use GenServer
  alias {names["sub"]}
  alias {lib}, as: {short}
  alias Bench.App{index}.{{Repo, Cache}}
  require Logger

  @timeout {1000 + index}

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  @impl true
  def init(state), do: {{:ok, Map.put(state, :started, System.monotonic_time())}}

  defp validate([]), do: {{:error, :empty}}
  defp validate(values), do: {{:ok, values}}

  def handle_call({{:compute, values}}, _from, state) do
    reply = values |> Enum.filter(&is_number/1) |> {lib}.array() |> {short}.sum()
    Cache.put(Repo, reply, @timeout)
    {{:reply, reply, state}}
  end
{body}end
'''


def write_corpus(directory: Path, size_mb: float, library_share: float = 0.05,
                 seed: int = 2) -> int:
    """Write modules under `directory` until they total `size_mb`; return the byte count.

    A `library_share` of the modules call a library (numpy or pandas); the others have
    the same shapes calling the app's own modules.
    """
    rng = random.Random(seed)
    target = int(size_mb * 1024 * 1024)
    total = 0
    index = 0
    while total < target:
        names = rng.choice(LIBRARY_NAMES) if rng.random() < library_share else OTHER_NAMES
        data = module_source(rng, index, rng.randint(4, 40), names).encode()
        path = directory / f"app{index // 100:03d}" / f"worker_{index:05d}.ex"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total += len(data)
        index += 1
    return total
