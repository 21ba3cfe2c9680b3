"""The Arabic front end: what an engine hears for each piece of written text.

Every stage is a pure function of text, in its own module; ``spoken.spoken_form``
runs them in order (fold → lexicon → numbers → Latin → diacritics) as an
engine's caps ask. Nothing is imported here: config.py imports the lexicon
model, and the engines must not be pulled in while config loads.
"""
