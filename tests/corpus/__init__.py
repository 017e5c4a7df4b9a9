"""A corpus of realistic units unlike the bundled example (issue 14, item 11).

``units`` holds the generator (:class:`units.UnitSpec` → :class:`~reportgen.workbook.WorkbookData`),
``catalogue`` the units themselves. tests/test_corpus.py builds each one and checks its
document against rules computed from the unit's own figures.
"""
