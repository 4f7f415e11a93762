"""mint-census: publications."""
