"""就近办 (jiujinban) backend: the Litestar app, the domain packages and the composition roots."""
