"""The fake upstreams: one Flask app factory per API, both driven by the schemas."""
