"""mint-census: sources."""
