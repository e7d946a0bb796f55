"""SymPy: local derivatives, chain rules as sums over paths, simplifications, TeX printing."""
