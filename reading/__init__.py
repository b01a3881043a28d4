"""Reading what people type: one normaliser for the bot, the safety net, the intent classifier
and the actions (see reading/normalise.py). Pure Python plus symspellpy, so both
environments import it."""
