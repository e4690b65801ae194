"""Darkroom sandbox: a stateful local sandbox for product-photo AI APIs."""

__version__ = "0.1.0"
