"""The township window's desk (镇街窗口): the queue, the township's cases, walk-ins and the
staff case page."""
