"""Tests of derive.cli."""
