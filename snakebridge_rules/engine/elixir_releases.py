"""Module names that Elixir releases after 1.14 added to its own applications (elixir,
eex, ex_unit, iex, logger, mix), each with the first release that has it.

`elixir_modules.py` is generated from the Elixir installed here (1.14), but users compile
the generated bindings with newer Elixir too, where a generated `JSON` would replace
Elixir's own (1.18) and break the build; so these names are refused as well
(`libraries.taken_by_elixir`). Curated by hand, not generated: each name was read from
the release's `lib/` tree and the public ones from its CHANGELOG.md (elixir-lang/elixir,
tags v1.15.0 … v1.20.0); a module a later release removed stays (someone compiles with
that release). Internal modules are listed too: defining one breaks that release all
the same. Extend it when a new Elixir release adds modules (compare its `defmodule`s
and `defprotocol`s with the previous release's).

Standard library only, Python 3.8 syntax: the Pants plugin imports it.
"""

from __future__ import annotations

_ADDED = {
    "1.15": """Kernel.TypespecError Logger.Backends.Config Logger.Backends.Handler
               Logger.Backends.Internal Logger.Backends.Supervisor Logger.Backends.Watcher
               Mix.AppLoader""",
    "1.16": "MismatchedDelimiterError",
    "1.17": """Duration ExUnit.OnExitHandler.Supervisor Mix.Tasks.Profile.Tprof
               Module.Behaviour Module.Types.Descr""",
    "1.18": """JSON JSON.DecodeError JSON.Encoder JSON.Encoder.Atom JSON.Encoder.BitString
               JSON.Encoder.Date JSON.Encoder.DateTime JSON.Encoder.Duration
               JSON.Encoder.Float JSON.Encoder.Integer JSON.Encoder.List JSON.Encoder.Map
               JSON.Encoder.NaiveDateTime JSON.Encoder.Time MissingApplicationsError
               IEx.MixListener Mix.PubSub Mix.PubSub.Subscriber Mix.Sync.Lock
               Mix.Sync.PubSub Module.Types.Apply""",
    "1.19": "Mix.Compilers.Protocol Mix.Tasks.Deps.Partition",
    "1.20": "Mix.Tasks.Source Module.Types.Traverse",
}

#: Module name → the Elixir release that added it (`"JSON"` → `"1.18"`).
ADDED_IN = {name: release for release, names in _ADDED.items() for name in names.split()}
