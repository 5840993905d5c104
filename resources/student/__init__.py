"""The distilled student: chat examples, training (builtin tiny Qwen2 or a local HF model; full, LoRA, QLoRA;
SFT, GKD, DistiLLM-2) and batched greedy generation. Heavy imports live inside the functions that use them."""
