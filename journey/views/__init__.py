"""Views of the public service, split by journey section."""
