"""mint-census: schemas."""
