"""LLM backends behind one batched interface: the offline extractive teacher and Hugging Face causal LMs."""
