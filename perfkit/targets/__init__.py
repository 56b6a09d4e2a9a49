"""Targets (绩效目标): review before the money is spent — floor 4, a domain.
"""
