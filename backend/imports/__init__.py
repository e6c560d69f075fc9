"""Catalogue imports: the spreadsheets kept by administrators, checked and applied whole."""
