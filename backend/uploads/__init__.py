"""Uploads: photos and scans of materials, stripped of EXIF, hashed, stored behind an interface."""
