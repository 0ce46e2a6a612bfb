"""Load benchmarks run by `make bench` (not collected by pytest); figures go to docs/benchmarks.md."""
