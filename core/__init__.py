"""The kernel every app shares: pieces of infrastructure with no domain in them."""
