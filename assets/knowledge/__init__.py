"""Knowledge group: raw documents -> chunks -> BM25 and dense indexes -> retrieval evaluation."""
