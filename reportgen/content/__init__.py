"""Content stage: decides what each document says, as a document model.

Knows nothing of HTML or Word. Numbers come from the methodology results and
the configuration; prose that analysts edit comes from ``templates/prose``.
"""
