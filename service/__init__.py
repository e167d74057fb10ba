"""The service layer: one data home's archive and index wired together.

Its single write path, consistency checks, accounts and citations. Above archive, index and
ingest; below web and the command line.
"""
