"""Case forms, one module per part of the lifecycle."""
