"""Persistence adapters: ORM models, sessions, repositories and migrations."""
