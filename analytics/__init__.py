"""IKM computation, charts and reports; reads survey and complaint data, never writes (planned)."""
