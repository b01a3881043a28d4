"""Coordinator tools: figures from feedback, charts, the HTML report and the `roleguide` command."""
