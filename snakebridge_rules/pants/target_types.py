"""The `elixir_bindings` target: what a user declares in a BUILD file (the help texts
are its documentation: `pants help elixir_bindings`). Runs inside Pants (Python 3.9).
"""

from __future__ import annotations

import posixpath
from typing import Optional, Tuple

from pants.engine.addresses import Address
from pants.engine.target import (
    COMMON_TARGET_FIELDS,
    InvalidFieldException,
    MultipleSourcesField,
    SpecialCasedDependencies,
    StringField,
    StringSequenceField,
    Target,
)
from pants.util.strutil import help_text

from snakebridge_rules.engine.libraries import Library, LibrarySpecError


class ElixirBindingsSourcesField(MultipleSourcesField):
    default = ("lib/**/*.ex", "lib/**/*.exs", "test/**/*.exs")
    expected_file_extensions = (".ex", ".exs")
    help = help_text("""
        The Elixir sources scanned for calls into the bound Python libraries. Generated
        files under `output_dir` are never scanned.
    """)


class ElixirBindingsLibrariesField(StringSequenceField):
    alias = "libraries"
    required = True
    help = help_text("""
        The Python modules to bind, each `pymod` (Elixir module by camelizing each dotted
        segment: `numpy.linalg` -> `Numpy.Linalg`) or `pymod=ElixirModule` (`numpy=NP`).
    """)

    @classmethod
    def compute_value(cls, raw_value: Optional[Tuple[str, ...]],  # noqa: UP045
                      address: Address) -> Optional[Tuple[str, ...]]:  # noqa: UP045
        value = super().compute_value(raw_value, address)
        if not value:
            raise InvalidFieldException(
                f"{address}: `{cls.alias}` is empty; name the Python modules to bind, "
                "e.g. `libraries=[\"numpy\"]`"
            )
        try:
            Library.parse_all(value)
        except LibrarySpecError as exc:
            raise InvalidFieldException(f"{address}: `{cls.alias}`: {exc}") from None
        return value


class ElixirBindingsRequirementsField(SpecialCasedDependencies):
    alias = "python_requirements"
    required = True
    help = help_text("""
        Addresses of the `python_requirement` targets that provide the libraries (only
        requirement targets; each library must be importable from them). They must share
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

    @classmethod
    def compute_value(cls, raw_value: Optional[str], address: Address) -> Optional[str]:  # noqa: UP045
        value = super().compute_value(raw_value, address)
        normalized = posixpath.normpath(value or ".")
        if normalized == "." or normalized.startswith(("/", "..")):
            raise InvalidFieldException(
                f"{address}: `{cls.alias}` must be a subdirectory of {address.spec_path or '.'}"
                f" (the generator deletes files it no longer produces there), not {value!r}"
            )
        return value


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
