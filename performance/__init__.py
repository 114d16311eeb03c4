"""The service's performance figures: counted (counting.py), added up week by week (figures.py), drawn (charts.py)
and published (views.py: the public dashboard at /performance and its CSV; the staff figures page reuses them)."""
