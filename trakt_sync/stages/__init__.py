"""The sync's stages, each with one job and a frozen result (``types``):

``fetch`` (Trakt history into the store) → ``resolve`` (the matcher's answers) →
``apply`` (Bangumi writes) or ``send`` (a Bangumi-syncer sink instead); ``lists`` carries the
Trakt ratings and watchlist along (``NoLists`` when neither is synced); ``reconcile`` is the
one-off check after the schema-2 upgrade. ``engine.SyncEngine`` only sequences them. Stages
never import each other: what they share is in ``types`` and ``ports``.
"""
