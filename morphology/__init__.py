"""Morphologies and multicompartment neurons (a later issue)."""
