"""Rendering: the run summary (markdown), its plots, and the HTML report and store index."""
