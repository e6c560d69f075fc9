"""Geography: the district → township → village area tree."""
