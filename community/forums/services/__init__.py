"""Forum services, split by responsibility: ``categories``, ``topics`` (writing),
``listing`` (reading), ``reactions``, ``answers``, ``watching``, ``data``, ``recount``.
Callers import the module they need: ``from community.forums.services import topics``."""
