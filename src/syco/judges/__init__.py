"""Judges and graders: roles that turn a model's reply into a score.

Every judge is either deterministic (documented rules) or a model role taking any spec.
LLM-judge replies are parsed with anchored patterns; a reply that matches none is
*unparsed*, never silently yes or no.
"""
