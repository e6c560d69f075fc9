"""The external one-window platform (外部一窗受理平台): cases pushed out, status callbacks in."""
