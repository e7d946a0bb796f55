"""Tests of derive.graph."""
