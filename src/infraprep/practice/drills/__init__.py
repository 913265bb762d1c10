"""Drills: parametric numeric items generated from the calculators, and authored choice/order items."""

from infraprep.practice.drills.grading import grade
from infraprep.practice.drills.model import Drill, Grade
from infraprep.practice.drills.registry import Template, all_templates, generate
from infraprep.practice.drills.session import choose, grade_and_record, select_templates

__all__ = ["Drill", "Grade", "Template", "all_templates", "choose", "generate", "grade", "grade_and_record",
           "select_templates"]
