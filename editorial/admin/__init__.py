"""The editorial admin: speakers, claims with their citations and relations, moderation, claim sets.

One module per concern, as Django's own ``contrib.admin`` splits its package:

* ``claims`` — the claim list and the claim page (``ClaimAdmin``), put together from
  ``citations`` (the citation rows and the citation picker), ``moderation`` (the workflow buttons,
  the transition view, the moderation queue and the log), ``changes`` (a public claim's edits
  beside its approved version, awaiting approval), ``actions`` (the list's bulk actions) and
  ``filters`` (its list filters);
* ``claimsets`` and ``speakers`` — their admins; ``sources`` — the source page, with the claims
  citing it; ``tasks`` — the background tasks' states, with a retry of failed ones;
* ``forms``, ``display`` (what the pages show, escaped), ``pages`` (the extra pages' URLs and
  frame) and ``positions`` (saving reordered rows) — what those share.

Importing this package, as Django's admin autodiscovery does, registers every admin.
"""

from editorial.admin import claims, claimsets, moderation, sources, speakers, tasks  # noqa: F401 — registers them
