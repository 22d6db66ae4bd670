"""Confidence routing (issue 21): predict from a draft's own signals whether it needs no change,
and route drafts past people at a precision the lead chooses, with an audit."""
