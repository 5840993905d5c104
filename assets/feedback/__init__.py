"""Feedback group: the feedback store, daily feedback events and training examples."""
