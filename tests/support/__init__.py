"""Shared test infrastructure (real servers and tools, started on demand)."""
