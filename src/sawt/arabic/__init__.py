"""The Arabic front end: what an engine hears for each piece of written text."""
