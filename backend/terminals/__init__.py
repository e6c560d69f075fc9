"""Self-service terminals (自助终端): the devices, their credentials and citizens' sessions."""
