"""The scan step of `generate`: call keys, and where each call is, for the messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from snakebridge_rules.engine.calls import CallKey, binding_of
from snakebridge_rules.engine.libraries import Library

if TYPE_CHECKING:
    from snakebridge_rules.engine.scan.pool import Limits as ParseLimits


@dataclass
class ScanResult:
    calls: list[CallKey] = field(default_factory=list)
    locations: dict[str, str] = field(default_factory=dict)  # binding -> first "file:line"
    errors: list[str] = field(default_factory=list)  # "file:line:column: message"
    warnings: list[str] = field(default_factory=list)


def scan(paths: list[str], libraries: list[Library], cache_dir: Path | None = None,
         limits: ParseLimits | None = None) -> ScanResult:
    """Scan `paths` with the scanner's bounded parse workers (engine/scan); calls are
    reduced to the bindings they need (keys.py), each located at its first call site.

    Raises `ScanPathError` for a PATH that does not exist.
    """
    if not paths:
        return ScanResult()
    from snakebridge_rules.engine.scan import DEFAULT_LIMITS, scan_paths

    result = scan_paths(paths, libraries, cache_dir=cache_dir, limits=limits or DEFAULT_LIMITS)
    locations: dict[str, tuple[str, int]] = {}
    for site in result.locations:
        binding = binding_of(CallKey.parse(site.call))
        if binding is not None:
            where = locations.setdefault(str(binding), (site.file, site.line))
            locations[str(binding)] = min(where, (site.file, site.line))
    return ScanResult(
        calls=sorted(CallKey.parse(key) for key in locations),
        locations={key: f"{file}:{line}" for key, (file, line) in locations.items()},
        errors=[str(d) for d in result.errors],
        warnings=[str(d) for d in result.warnings],
    )
