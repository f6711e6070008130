"""The binsr weight format: export (and the resumable training state), a reference reader, golden vectors."""
