"""Tests of derive.spec."""
