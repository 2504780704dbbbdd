"""Bazel rules (defs.bzl, repositories.bzl) and their engine-side helpers."""
