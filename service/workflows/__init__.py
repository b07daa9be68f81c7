"""Use cases shared by the API, the CLI and the screens. They flush, never commit."""
