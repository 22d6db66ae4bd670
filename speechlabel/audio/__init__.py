"""Signal in and out: decode, limits, normalise to 16 kHz mono, probe levels, PCM WAV
spans. Pure audio; imports only core.
"""
