"""Bundled sample data: the facts `leadgate demo` decides."""
