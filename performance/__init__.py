"""The service's performance figures: added up week by week from the visits and the journeys counted by the public
journey (``figures``; ``journey.counting`` counts them), drawn (``charts``) and published (``views``: the public
dashboard at /performance and its CSV, every count rounded to base 5; the staff figures page reuses them). It may use
the domain (``visits``), ``prisons`` and ``common``."""
