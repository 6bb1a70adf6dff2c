"""Signals of the agency network, for the rooms above it (agencies import none of them)."""

from django.dispatch import Signal

# An agency (and its subtree) moved in the tree; sent inside the move's transaction, after the
# agencies' paths were rewritten. kwargs: old_path, new_path. reports follows with its assignments.
agency_moved = Signal()
