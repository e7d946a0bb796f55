"""Tests of derive.sheet."""
