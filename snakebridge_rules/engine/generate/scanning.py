"""The scan step of `generate`: call keys, and where each call is, for the messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from snakebridge_rules.engine.calls import CallKey
from snakebridge_rules.engine.libraries import Library


@dataclass
class ScanResult:
    calls: list[CallKey] = field(default_factory=list)
    locations: dict[str, str] = field(default_factory=dict)  # key -> first "file:line"
    errors: list[str] = field(default_factory=list)  # "file:line:column: message"
    warnings: list[str] = field(default_factory=list)


def scan(paths: list[str], libraries: list[Library]) -> ScanResult:
    """Scan `paths` with the scanner's bounded parse workers (engine/scan).

    Raises `ScanPathError` for a PATH that does not exist.
    """
    if not paths:
        return ScanResult()
    from snakebridge_rules.engine.scan import scan_paths

    result = scan_paths(paths, libraries)
    locations: dict[str, str] = {}
    for site in result.locations:  # sorted by call, file, line
        locations.setdefault(site.call, f"{site.file}:{site.line}")
    return ScanResult(
        calls=[CallKey.parse(call) for call in result.calls],
        locations=locations,
        errors=[str(d) for d in result.errors],
        warnings=[str(d) for d in result.warnings],
    )
