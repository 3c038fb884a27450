"""Data package: the queries/ folder, shipped inside powerkg (see build_graph.data)."""
