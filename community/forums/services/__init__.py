"""Forum services, split by responsibility: ``categories``, ``topics`` (writing),
``listing`` (reading), ``reactions``, ``reaction_types`` (the offer), ``answers``,
``watching``, ``data``, ``recount``.
Callers import the module they need: ``from community.forums.services import topics``."""
