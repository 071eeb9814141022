"""The layout of the mocks' shared SQLite database (``mockserver.store`` owns the data).

* ``records``: one row per import or file, the columns lists and searches filter on;
* ``snapshots``: what each record shows from a mock-clock time on (its lifecycle);
* ``sessions``, ``login_failures``: logins and lockouts;
* ``counters``, ``secrets``: ids, one-time flags, and keys made once per database;
* ``control``: one row every worker reads per request (clock, faults); its generation moves
  on with every write to records or sessions (``mockserver/readcache.py``).
"""

__all__ = ["SCHEMA"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    api TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (api, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_name ON records (api, category, name);
CREATE TABLE IF NOT EXISTS snapshots (
    api TEXT NOT NULL,
    key TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT '',
    has_errors INTEGER NOT NULL DEFAULT 0,
    body BLOB NOT NULL,
    PRIMARY KEY (api, key, at_ms)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
    api TEXT NOT NULL,
    token TEXT NOT NULL,
    principal TEXT NOT NULL,
    secondary TEXT NOT NULL DEFAULT '',
    expires REAL NOT NULL,
    PRIMARY KEY (api, token)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS login_failures (
    api TEXT NOT NULL,
    principal TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS control (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL,
    data TEXT NOT NULL
);
INSERT OR IGNORE INTO control VALUES (1, 0, '{}');
"""
