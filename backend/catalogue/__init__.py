"""The catalogue: departments now; items, bundles and service points as the catalogue grows."""
