"""Vendor-shaped bodies for jobs, one module per vendor family."""
