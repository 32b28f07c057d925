"""Work across several models: citing and re-anchoring, moderating. Each module imports what it needs."""
