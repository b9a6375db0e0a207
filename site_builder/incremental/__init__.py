"""What one build keeps for the next so that work follows the change.

The stages in :mod:`site_builder.build` are plain functions of data; this package
holds what makes a rebuild cheap without changing its output: the persisted store
(:mod:`.store`), the state a long-lived caller keeps (:mod:`.state`), route
fingerprints (:mod:`.fingerprint`), the unchanged-build check (:mod:`.unchanged`) and
the memoised link resolution (:mod:`.resolving`).
"""
