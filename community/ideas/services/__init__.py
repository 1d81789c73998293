"""Ideas services, split by responsibility: ``submitting``, ``voting`` (votes, budget,
proxy votes), ``statuses``, ``comments``, ``following``, ``listing``, ``merging``,
``roadmap``, ``priorities``, ``customer_values``, ``challenges``, ``feedback`` (after
shipping), ``moderating``, ``data`` (export and erasure), ``recount``; ``common`` holds
the rules they share. Callers import the module they need:
``from community.ideas.services import voting``."""
