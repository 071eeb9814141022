"""Contract suites that check the reference client against the mocks or a live endpoint."""
