"""Tests of derive.render."""
