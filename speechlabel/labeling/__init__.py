"""The labeler's work: leases (``assignment``), the label page's actions (``actions``),
the loop's cards and open segments (``loop``), the waveform, clips, drafts as shown,
double labeling and a segment's history. Imports projects and everything below.
"""
