"""mint-census: flows."""
