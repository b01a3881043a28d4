"""Custom actions for the Role Guide's Rasa assistant (run by the rasa-sdk action server)."""
