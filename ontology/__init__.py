"""Data package: the ontology/ folder, shipped inside powerkg (see build_graph.data)."""
