"""The `elixir_bindings` target: what a user declares in a BUILD file (the help texts
are its documentation: `pants help elixir_bindings`). Values are checked per target
(spec.py), not here: Pants builds every target for most goals. Runs inside Pants (3.9).
"""

from __future__ import annotations

from pants.engine.target import (
    COMMON_TARGET_FIELDS,
    MultipleSourcesField,
    SpecialCasedDependencies,
    StringField,
    StringSequenceField,
    Target,
)
from pants.util.strutil import help_text


class ElixirBindingsSourcesField(MultipleSourcesField):
    default = ("lib/**/*.ex", "lib/**/*.exs", "test/**/*.exs")
    expected_file_extensions = (".ex", ".exs")
    help = help_text("""
        The Elixir sources scanned for calls into the bound Python libraries. Generated
        files under `output_dir` are never scanned.
    """)


class ElixirBindingsLibrariesField(StringSequenceField):
    alias = "libraries"
    help = help_text("""
        Required. The Python modules to bind, each `pymod` (Elixir module by camelizing
        each dotted segment: `numpy.linalg` -> `Numpy.Linalg`) or `pymod=ElixirModule`
        (`numpy=NP`).
    """)


class ElixirBindingsRequirementsField(SpecialCasedDependencies):
    alias = "python_requirements"
    help = help_text("""
        Required. Addresses of the `python_requirement` targets (only those) that provide
        the libraries (each library must be importable from them). They must share
        one resolve; the introspection environment is a PEX built from that resolve's
        lockfile with just these requirements.
    """)


class ElixirBindingsManifestField(StringField):
    alias = "manifest"
    default = "snakebridge.manifest"
    help = help_text("""
        The accumulator manifest (relative to this BUILD file): every call ever bound, one
        per line. `generate-bindings` rewrites it as manifest + scan; only `--prune` drops
        entries. A missing file counts as empty.
    """)


class ElixirBindingsOutputDirField(StringField):
    alias = "output_dir"
    default = "lib/snakebridge_generated"
    help = help_text("""
        Where the generated Elixir files go: a subdirectory of this BUILD file's
        directory. It belongs to the generator: `generate-bindings` deletes the files
        there that generation no longer produces.
    """)


class ElixirBindingsGeneratedSourcesField(MultipleSourcesField):
    """The generated files' type, never in a BUILD file: codegen's output type."""

    alias = "_snakebridge_generated"


class ElixirBindingsTarget(Target):
    alias = "elixir_bindings"
    core_fields = (
        *COMMON_TARGET_FIELDS,
        ElixirBindingsSourcesField,
        ElixirBindingsLibrariesField,
        ElixirBindingsRequirementsField,
        ElixirBindingsManifestField,
        ElixirBindingsOutputDirField,
    )
    help = help_text("""
        Elixir bindings for the Python calls found in Elixir sources, generated lazily: only
        the symbols the code calls (plus the manifest) are introspected and rendered.

        `./pants generate-bindings` writes them into `output_dir` with the manifest;
        `./pants export-codegen` writes them to dist/codegen; shell commands and adhoc tools
        that depend on this target get them in their sandbox.
    """)
