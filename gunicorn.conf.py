"""gunicorn reads this file from the working directory: refuse bad configuration once, in the master."""


def on_starting(server):
    from app import refuse_bad_configuration

    refuse_bad_configuration()
