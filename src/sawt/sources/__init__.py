"""Following sources: feeds of a newsroom, rendered as they change (`sawt update`)."""
