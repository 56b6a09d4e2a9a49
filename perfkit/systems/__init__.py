"""Indicator systems (指标体系): the model and its YAML loader."""

from perfkit.systems.loader import builtin_systems, list_systems, load_system, system_from_dict
from perfkit.systems.model import Node, System

__all__ = ["Node", "System", "builtin_systems", "list_systems", "load_system", "system_from_dict"]
