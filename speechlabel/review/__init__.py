"""Review: approve and reject with reasons, the queue, rework. Imports labeling's
leases and below.
"""
