"""Knowledge: the news corpus, its Chroma store, retrieval, and the world's gazetteer."""
