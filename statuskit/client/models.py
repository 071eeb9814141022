"""The typed records the client returns, generated from the schemas (``_models.py``).

Each model is a frozen dataclass whose fields are its schema's keys in snake case, plus an
``extra`` map of the keys the schema does not name. ``Model.from_json(data)`` reads
tolerantly (unknown keys kept, an unknown state kept as a plain string);
``from_json(data, strict=True)`` raises :class:`~statuskit.errors.ContractViolation` with
the JSON path and schema path of the first violation. ``to_json()`` gives the wire form
back. Nothing here lists a field by hand: change a schema, then run
``python -m statuskit.client._codegen``.
"""

from __future__ import annotations

from statuskit.client._models import (
    FileCount,
    FileStatus,
    FileStatusFile,
    FileStatusFileSource,
    ImportPage,
    ImportRecord,
    ImportRecordOwner,
    MediumContextData,
    MongoDate,
    MongoObjectId,
    StatusEntry,
)
from statuskit.client._reader import Model, read_array

__all__ = [
    "FileCount",
    "FileStatus",
    "FileStatusFile",
    "FileStatusFileSource",
    "ImportPage",
    "ImportRecord",
    "ImportRecordOwner",
    "MediumContextData",
    "Model",
    "MongoDate",
    "MongoObjectId",
    "StatusEntry",
    "read_array",
]
