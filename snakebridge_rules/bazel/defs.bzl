"""snakebridge_bindings: lazy Elixir bindings for Python libraries, as Bazel actions.

    load("@snakebridge_rules//:defs.bzl", "snakebridge_bindings")

    snakebridge_bindings(
        name = "bindings",
        srcs = glob(["lib/**/*.ex"], exclude = ["lib/generated/**"]),
        libraries = ["numpy"],                 # or "numpy=NP"
        manifest = "snakebridge.manifest",     # checked in; only grows
        python_env = "@numpy_env//:python",    # a snakebridge_python_env
        out_dir = "lib/generated",             # where :bindings.update writes
    )

defines `:bindings` (the generated `.ex` tree and the symbol set), `:bindings.update`
(`bazel run` it to write the generated files and the accumulated manifest into the
source tree) and `:bindings_test` (fails, naming that command, while they are stale).

Actions, each with its own mnemonic so each is cached on its own; every one runs an
engine subcommand (`snakebridge STEP`, docs/CONTRACTS.md), nothing is computed here:

| mnemonic               | engine step | inputs                                  | outputs        |
|------------------------|-------------|-----------------------------------------|----------------|
| SnakeBridgeScan        | scan        | srcs                                    | symbols, locs  |
| SnakeBridgeManifest    | merge       | manifest, symbols                       | manifest, one symbol set per library |
| SnakeBridgeIntrospect  | introspect  | that library's symbol set, env          | surface, errors |
| SnakeBridgeCheck       | check       | errors, locations (+ manifest: wording) | stamp          |
| SnakeBridgeRender      | render      | surfaces, stamp                         | generated tree |

An edit that adds no Python call changes only the locations, so only the scan and the
check run again (the check tests the calls' literal keyword names against the
signatures in the errors files; it lists the locations as unused only when there are
no signatures, and the manifest whenever it passes); a new call into one
library re-runs only that library's introspection. Every action gets the same explicit
environment and no network; the engine and the library environment are reached through
wrapper scripts whose text holds their identity (repositories.bzl).
"""

load(
    "//private:bindings.bzl",
    _SnakeBridgeInfo = "SnakeBridgeInfo",
    _bindings_rule = "snakebridge_bindings_rule",
    _test_rule = "snakebridge_bindings_test",
    _update_rule = "snakebridge_bindings_update",
)

SnakeBridgeInfo = _SnakeBridgeInfo

def snakebridge_bindings(
        name,
        srcs,
        libraries,
        manifest,
        out_dir,
        python_env = None,
        library_envs = {},
        generated = None,
        **kwargs):
    """Lazy Elixir bindings: `name`, `name.update` and `name_test`.

    Args:
      name: the bindings target (the generated tree and the symbol set).
      srcs: the Elixir sources scanned for calls.
      libraries: `pymod` or `pymod=ElixirModule` entries.
      manifest: the checked-in manifest (only grows).
      out_dir: where `bazel run :NAME.update` writes, relative to this package.
      python_env: the `python` of a `snakebridge_python_env` (every library's
        environment unless `library_envs` names another).
      library_envs: `{"@sympy_env//:python": "sympy"}`: one environment per library.
      generated: the checked-in generated files (default: everything under out_dir).
      **kwargs: common attributes (visibility, tags) of the bindings target.
    """
    _bindings_rule(
        name = name,
        srcs = srcs,
        libraries = libraries,
        manifest = manifest,
        python_env = python_env,
        library_envs = library_envs,
        out_dir = out_dir,
        **kwargs
    )
    _update_rule(name = name + ".update", bindings = ":" + name)
    _test_rule(
        name = name + "_test",
        bindings = ":" + name,
        generated = native.glob([out_dir + "/**"]) if generated == None else generated,
        size = "small",
    )
