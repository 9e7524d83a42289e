"""Numerical integration methods: equations -> update statements (issue 3)."""
