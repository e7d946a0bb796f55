"""Figures: the computational graph (SVG, TikZ) and the loss plot."""
