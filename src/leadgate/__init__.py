"""leadgate: the compliance gate between an organisation's leads and its outreach."""

__version__ = "0.1.0"
