"""Tests of derive.classset."""
