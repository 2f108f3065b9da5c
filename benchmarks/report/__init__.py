"""What a run folder says to a person: the end-of-run summary (summary.md, plots)."""
