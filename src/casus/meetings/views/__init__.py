"""Meetings: one module per part (meetings and attendance; minutes, feedback, register)."""
