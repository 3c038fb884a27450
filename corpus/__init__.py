"""Data package: the corpus/ folder, shipped inside powerkg (see build_graph.data)."""
