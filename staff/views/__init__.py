"""Views of the staff console."""
