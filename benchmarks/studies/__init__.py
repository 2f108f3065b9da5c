"""One-off studies: each module answers one question, and says which and when; nothing in the pipeline imports them."""
