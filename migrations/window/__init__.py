"""Migrations of the window app."""
