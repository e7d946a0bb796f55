"""Tests of derive.symbolic."""
