"""Pydantic request/response models: boundary validation only."""
