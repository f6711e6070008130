"""Training loops and what they write while training: progress, recipe options, precision, campaigns, model cards."""
