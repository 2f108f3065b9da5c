"""The output store: run folders (paths, loaders), passes, the writer lock, meta.json, machine ids, calibration.json."""
