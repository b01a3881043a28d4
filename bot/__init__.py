"""The Telegram front end of the Role Guide (python-telegram-bot 22)."""
