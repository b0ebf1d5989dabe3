"""Hum It Out domain package shared by every Lambda (deployed as the ``core`` layer)."""
__version__ = "0.1.0"
