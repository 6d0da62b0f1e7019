"""Rendering only: figures, drawings and widgets for the lessons; the mathematics lives elsewhere in adlessons."""

from . import plots
from . import backend
from .graph import draw
from .stepper import Stepper, stepper
