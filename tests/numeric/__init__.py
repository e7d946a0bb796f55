"""Tests of derive.numeric."""
