from backend.apps import app_config
from backend.terminals.tables import Terminal, TerminalSession

APP_CONFIG = app_config("terminals", [Terminal, TerminalSession], depends_on=("geo", "identity"))
