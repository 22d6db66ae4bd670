"""Figures for leads: WER/CER and agreement (``metrics``), the dashboard, working
time, CSV rows. Imports core, store and accounts; nothing imports it but export, cli
and views.
"""
