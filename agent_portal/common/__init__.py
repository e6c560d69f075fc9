"""Pages every staff role shares (the bell and its notices), with their templates beside them."""
