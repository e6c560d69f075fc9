"""Migrations of the uploads app."""
