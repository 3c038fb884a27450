"""Data package: the shapes/ folder, shipped inside powerkg (see build_graph.data)."""
