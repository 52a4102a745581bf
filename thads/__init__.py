"""THADS Warehouse: civil judgment enforcement reports from every province, checked and ranked."""

__version__ = "0.1.0"
