"""Command-line tools for running and checking the Role Guide."""
