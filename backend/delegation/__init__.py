"""代办 — village agents and bank clerks acting for citizens: mandates, filing, custody."""
