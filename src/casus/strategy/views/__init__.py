"""The strategy pages: short views that read through selectors and write through services."""
