"""The engine: scan, introspect, generate, manifest. Imports no build system."""
