"""The control plane under ``/__admin``: its spec and its handlers."""
