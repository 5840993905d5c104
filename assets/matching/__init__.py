"""The matching group: item master → item index → evaluation, and aliases learned from the selection log."""
