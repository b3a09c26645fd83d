"""The engine: what every mocked API is built on, free of any web framework.

The store and its cached views, the clock, seeded data, the problem catalogue, webhooks, the API
registry and the running mock's :class:`~mockserver.engine.runtime.Runtime`. Nothing here imports
``mockserver.web``, ``mockserver.apis``, Connexion or Starlette; ``make lint`` checks it
(``.importlinter``).
"""
