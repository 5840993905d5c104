"""Item matching: free-text order lines resolved to catalogue items (rule + semantic hybrid, learning from selections).

Modules: `items` (the item master), `normalize` and `phonetic` (query forms, cross-script skeleton),
`rule`, `semantic`, `matcher` (the stages and the decision), `calibration`, `aliases` and `learning`
(what selections teach), `finetune` (sentence-transformers fine-tuning), `store` and `index_build`
(the saved, checksummed index), `queries` and `teaching` (generated evaluation data), `evaluation`,
`server` (the HTTP API).
"""
