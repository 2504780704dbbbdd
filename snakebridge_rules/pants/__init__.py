"""Pants 2.17 backend for SnakeBridge (runs inside Pants: Python 3.9 syntax)."""
