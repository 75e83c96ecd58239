"""Reports: what a person reads about a run, made from its folder and its evaluation.

`report.py` (report.html: figures and the spot-check sheet), `card.py` (the dataset card,
dataset/README.md), `trace_view.py` (trace.html), rendered by `pages.py` from the Jinja2
templates in `templates/` with autoescape on.
"""
