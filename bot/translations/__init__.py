"""Translation review: coverage per language, reviews saved in the dashboard, export."""
