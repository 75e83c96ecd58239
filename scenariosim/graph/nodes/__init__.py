"""One module per step; the node, its function and its file share a name."""
