"""History over commits: building one commit's checkout into its own venv, and the first error of a failed build."""
