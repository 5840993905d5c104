"""Retrieval building blocks: BM25 over morphemes, dense embedders and FAISS index, rank fusion, hybrid retriever."""
