"""Pure transforms of profiling artifacts into views.

Every module here is a function from one artifact to another (text in, text or
bytes out). Nothing here starts a subprocess or imports `native` or `benchmarks`.
"""
