"""The graph: expressions parsed from the spec's whitelist grammar, the function registry, the DAG
and its float64 evaluation."""
