"""Formal notices (文书) as PDF for staff: the window, the back office and the agent print them."""
