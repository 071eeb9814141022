"""The layout of the mocks' shared database, on SQLite and on PostgreSQL
(``mockserver.store`` owns the data).

* ``records``: one row per import or file: the columns lists and searches filter on, and the
  *last* snapshot's ``state``, ``has_errors`` and time (``settled_ms``), so a record whose
  lifecycle is over is filtered on its own row; ``folded`` is the casefolded name, for a
  substring search that ignores case without a function of the kit's; ``gen`` is the index
  of a generated record whose body is synthesised (``Store.synthesizers``), else NULL;
* ``tallies``: how many records each API has per category, kept with every write, so a
  count over a million records is one row read;
* ``snapshots``: what each record shows from a mock-clock time on (its lifecycle);
* ``sessions``, ``login_failures``: logins and lockouts;
* ``counters``, ``secrets``: ids, one-time flags, and keys made once per database;
* ``fault_counters``: how many requests each fault matched and fired on, for every worker;
* ``control``: one row every worker reads per request (clock, faults); its generation moves
  on with every write to records or sessions (``mockserver/readcache.py``). On PostgreSQL a
  trigger notifies every worker of a new generation, and ``control_workers`` holds what
  each has acknowledged (``mockserver._control_listener``).
"""

__all__ = [
    "POSTGRES_LOCK",
    "POSTGRES_RECORD_INDEXES",
    "POSTGRES_SCHEMA",
    "SQLITE_RECORD_INDEXES",
    "SQLITE_SCHEMA",
    "index_names",
]

import re

#: The indexes on ``records``: dropped for a bulk load and made again after it, which is
#: several times faster than keeping them up to date row by row.
SQLITE_RECORD_INDEXES = (
    "CREATE INDEX IF NOT EXISTS records_by_name ON records (api, name)",
    "CREATE INDEX IF NOT EXISTS records_by_category ON records (api, category, name, created_ms)",
    # With the name, a count or search by account, dates and a name prefix never reads a row.
    "CREATE INDEX IF NOT EXISTS records_by_category_created"
    " ON records (api, category, created_ms, name)",
    "CREATE INDEX IF NOT EXISTS records_by_created ON records (api, created_ms)",
    "CREATE INDEX IF NOT EXISTS records_by_state ON records (api, state, has_errors, name)",
    "CREATE INDEX IF NOT EXISTS records_by_settled ON records (api, settled_ms)",
)

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    api TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    folded TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    created_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT '',
    has_errors INTEGER NOT NULL DEFAULT 0,
    settled_ms INTEGER NOT NULL,
    gen INTEGER,
    PRIMARY KEY (api, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tallies (
    api TEXT NOT NULL,
    category TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (api, category)
) WITHOUT ROWID;
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
CREATE TABLE IF NOT EXISTS fault_counters (
    id TEXT PRIMARY KEY,
    matched INTEGER NOT NULL,
    fired INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS control (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL,
    data TEXT NOT NULL
);
INSERT OR IGNORE INTO control VALUES (1, 0, '{}');
""" + "".join(f"{index};\n" for index in SQLITE_RECORD_INDEXES)

#: The advisory lock several instances starting at once take before creating the tables.
POSTGRES_LOCK = 0x5354_4B54  # "STKT"

POSTGRES_RECORD_INDEXES = (
    "CREATE INDEX IF NOT EXISTS records_by_name ON records (api, name, key)",
    "CREATE INDEX IF NOT EXISTS records_by_category"
    " ON records (api, category, name, created_ms, key)",
    "CREATE INDEX IF NOT EXISTS records_by_category_created"
    " ON records (api, category, created_ms, name, key)",
    "CREATE INDEX IF NOT EXISTS records_by_created ON records (api, created_ms, key)",
    "CREATE INDEX IF NOT EXISTS records_by_state ON records (api, state, has_errors, name, key)",
    "CREATE INDEX IF NOT EXISTS records_by_settled ON records (api, settled_ms)",
)

# Text columns that are compared by range (a name prefix) or ordered use the "C" collation:
# code-point order, as SQLite compares, whatever the database's locale.
POSTGRES_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    api TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    folded TEXT COLLATE "C" NOT NULL,
    category TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_ms BIGINT NOT NULL,
    state TEXT COLLATE "C" NOT NULL DEFAULT '',
    has_errors INTEGER NOT NULL DEFAULT 0,
    settled_ms BIGINT NOT NULL,
    gen BIGINT,
    PRIMARY KEY (api, key)
);
CREATE TABLE IF NOT EXISTS tallies (
    api TEXT NOT NULL,
    category TEXT COLLATE "C" NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (api, category)
);
CREATE TABLE IF NOT EXISTS snapshots (
    api TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    at_ms BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT '',
    has_errors INTEGER NOT NULL DEFAULT 0,
    body BYTEA NOT NULL,
    PRIMARY KEY (api, key, at_ms)
);
CREATE TABLE IF NOT EXISTS sessions (
    api TEXT NOT NULL,
    token TEXT NOT NULL,
    principal TEXT NOT NULL,
    secondary TEXT NOT NULL DEFAULT '',
    expires DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (api, token)
);
CREATE TABLE IF NOT EXISTS login_failures (
    api TEXT NOT NULL,
    principal TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_by_principal ON login_failures (api, principal);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS fault_counters (
    id TEXT PRIMARY KEY,
    matched BIGINT NOT NULL,
    fired BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS control (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL,
    data TEXT NOT NULL
);
INSERT INTO control VALUES (1, 0, '{}') ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS control_workers (
    worker TEXT PRIMARY KEY,
    generation BIGINT NOT NULL,
    seen TIMESTAMPTZ NOT NULL
);
DELETE FROM control_workers WHERE seen < clock_timestamp() - interval '1 hour';
CREATE OR REPLACE FUNCTION statuskit_control_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('statuskit_control', NEW.generation::text);
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER control_notify AFTER UPDATE ON control
    FOR EACH ROW EXECUTE FUNCTION statuskit_control_notify();
""" + "".join(f"{index};\n" for index in POSTGRES_RECORD_INDEXES)


def index_names(indexes: tuple[str, ...]) -> list[str]:
    """The names the ``CREATE INDEX`` statements ``indexes`` make."""
    return [re.search(r"EXISTS (\w+)", index).group(1) for index in indexes]  # type: ignore[union-attr]
