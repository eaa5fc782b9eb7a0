"""JIG pages: feeds (uploads, batches, matching queue) and risk (ratings, model, recomputes)."""
