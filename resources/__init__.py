"""Typed resources wrapping outside things: Korean tokenizer, embedders, retrievers, LLM backends, IO managers."""
