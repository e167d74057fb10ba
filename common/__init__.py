"""The ground every stage stands on.

Errors, settings, field names, the data-home layout, word lists and name keys. It imports
none of the stages above it.
"""
