"""Operator scripts. A package so that the tests can import the launcher (``from scripts.prod_local import Stack``)."""
