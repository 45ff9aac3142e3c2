"""The report: a study's analysis results as one HTML page and Markdown."""
