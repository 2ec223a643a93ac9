"""Domain services: plain functions taking plain arguments and a session, no request."""
