"""Pure cores for bringing people together: mixed workshop tables and representative panels.

Nothing here imports Flask or the database; the command line and the web use them alike.
"""
