"""The spec: the TOML schema (``schema``), ``--set`` overrides, the built-in examples."""

from .schema import Spec, load_spec, parse_spec

__all__ = ["Spec", "load_spec", "parse_spec"]
