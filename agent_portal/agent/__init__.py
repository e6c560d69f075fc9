"""The agent's desk (代办员): errands, villagers and mandates, filing on a citizen's behalf, the
case page, and the handover batches of both ends (the township's side too, which shares the
batch pages). Templates beside it, named ``agent/<file>``."""
