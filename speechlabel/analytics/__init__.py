"""Figures for leads: WER/CER and agreement (``metrics``), the dashboard, working
time, CSV rows. Imports everything below it; nothing imports it but export, cli
and views.
"""
