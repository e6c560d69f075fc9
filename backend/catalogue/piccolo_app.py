from backend.apps import app_config
from backend.catalogue.tables import Bundle, CatalogueRevision, Department, Item, ItemVersion

APP_CONFIG = app_config("catalogue", [Department, Item, ItemVersion, Bundle, CatalogueRevision])
