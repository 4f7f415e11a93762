"""mint-census: warehouse."""
