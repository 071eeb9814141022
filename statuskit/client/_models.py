"""The record models, generated from the tolerant schemas by ``statuskit.client._codegen``.

Do not edit: run ``python -m statuskit.client._codegen`` after changing a schema. A test
fails while this file is stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import statuskit.client._reader as _r
from statuskit.client._reader import Model

__all__ = [
    "FileCount",
    "FileStatus",
    "FileStatusFile",
    "FileStatusFileSource",
    "ImportPage",
    "ImportRecord",
    "ImportRecordOwner",
    "MediumContextData",
    "MongoDate",
    "MongoObjectId",
    "StatusEntry",
]

_INTEGER_OR_NULL = _r.INTEGER | _r.NULL
_OBJECT_OR_NULL = _r.OBJECT | _r.NULL
_STRING_OR_NULL = _r.STRING | _r.NULL


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRecordOwner(Model):
    """The ``owner`` object of :class:`ImportRecord`.

    Schema: ``thalamus/import-record.json#/properties/owner`` (tolerant).
    """

    LOCATION: ClassVar[tuple[str, str, str]] = (
        "thalamus",
        "import-record",
        "/properties/owner",
    )
    _KNOWN: ClassVar[frozenset[str]] = frozenset(
        {
            "entityType",
            "id",
        }
    )

    id: int
    entity_type: int  # entityType
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def _read(cls, data: Any, path: str) -> Self:
        d = _r.obj(data, path)
        return cls(
            id=_r.scalar(d, "id", path, _r.INTEGER, True),
            entity_type=_r.scalar(d, "entityType", path, _r.INTEGER, True),
            extra=_r.extra(d, cls._KNOWN),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "entityType": self.entity_type,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class MediumContextData(Model):
    """Thalamus medium context data. The channel context an import was made through, as embedded
    in the import record.

    Schema: ``thalamus/medium-context-data.json`` (tolerant).
    """

    LOCATION: ClassVar[tuple[str, str, str]] = (
        "thalamus",
        "medium-context-data",
        "",
    )
    _KNOWN: ClassVar[frozenset[str]] = frozenset(
        {
            "activityId",
            "asyncExcution",
            "communicationId",
            "countriesIds",
            "direction",
            "location",
            "mediumDate",
            "source",
            "tags",
            "touchpointCountryId",
            "touchpointId",
        }
    )

    touchpoint_id: int  # touchpointId
    touchpoint_country_id: int | None  # touchpointCountryId
    communication_id: int | None  # communicationId
    activity_id: int | None  # activityId
    direction: str | None
    location: str | None
    async_excution: bool  # asyncExcution
    tags: tuple[str, ...] | None
    source: str | None
    countries_ids: tuple[int, ...] | None  # countriesIds
    medium_date: int | None  # mediumDate
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def _read(cls, data: Any, path: str) -> Self:
        d = _r.obj(data, path)
        return cls(
            touchpoint_id=_r.scalar(d, "touchpointId", path, _r.INTEGER, True),
            touchpoint_country_id=_r.scalar(d, "touchpointCountryId", path, _INTEGER_OR_NULL, True),
            communication_id=_r.scalar(d, "communicationId", path, _INTEGER_OR_NULL, True),
            activity_id=_r.scalar(d, "activityId", path, _INTEGER_OR_NULL, True),
            direction=_r.scalar(d, "direction", path, _STRING_OR_NULL, True),
            location=_r.scalar(d, "location", path, _STRING_OR_NULL, True),
            async_excution=_r.scalar(d, "asyncExcution", path, _r.BOOLEAN, True),
            tags=_r.scalars_or_none(d, "tags", path, _r.STRING, True),
            source=_r.scalar(d, "source", path, _STRING_OR_NULL, True),
            countries_ids=_r.scalars_or_none(d, "countriesIds", path, _r.INTEGER, True),
            medium_date=_r.scalar(d, "mediumDate", path, _INTEGER_OR_NULL, True),
            extra=_r.extra(d, cls._KNOWN),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "touchpointId": self.touchpoint_id,
            "touchpointCountryId": self.touchpoint_country_id,
            "communicationId": self.communication_id,
            "activityId": self.activity_id,
            "direction": self.direction,
            "location": self.location,
            "asyncExcution": self.async_excution,
            "tags": None if self.tags is None else list(self.tags),
            "source": self.source,
            "countriesIds": None if self.countries_ids is None else list(self.countries_ids),
            "mediumDate": self.medium_date,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRecord(Model):
    """Thalamus import record. One file import: the 200 body of GET /api/v4/import/status/{id},
    an item of the list, and the answer to an upload.

    Schema: ``thalamus/import-record.json`` (tolerant).
    """

    LOCATION: ClassVar[tuple[str, str, str]] = (
        "thalamus",
        "import-record",
        "",
    )
    _KNOWN: ClassVar[frozenset[str]] = frozenset(
        {
            "analysisResult",
            "analysisResultJson",
            "creationDate",
            "creationOperator",
            "fileImportType",
            "fileName",
            "fileSize",
            "fileType",
            "id",
            "importDate",
            "internationalizedState",
            "mediumContextData",
            "mediumContextDataJson",
            "modificationDate",
            "modificationOperator",
            "name",
            "owner",
            "partnerDatasourceId",
            "percentageProcessed",
            "relatedEntityType",
            "rows",
            "rowsOk",
            "rowsRollbacked",
            "rowsRollbackedWithErrors",
            "rowsSkipped",
            "rowsWithErrors",
            "state",
            "stateInternationalizableKey",
            "totalToProcess",
            "url",
            "userId",
        }
    )

    id: int
    creation_date: int  # creationDate
    modification_date: int  # modificationDate
    creation_operator: int  # creationOperator
    modification_operator: int  # modificationOperator
    name: str
    file_name: str  # fileName
    file_type: str  # fileType
    owner: ImportRecordOwner
    related_entity_type: int | None  # relatedEntityType
    import_date: int  # importDate
    user_id: int  # userId
    partner_datasource_id: int | None  # partnerDatasourceId
    medium_context_data: MediumContextData  # mediumContextData
    medium_context_data_json: str  # mediumContextDataJson
    rows: int
    rows_ok: int  # rowsOk
    rows_with_errors: int  # rowsWithErrors
    rows_skipped: int  # rowsSkipped
    rows_rollbacked: int  # rowsRollbacked
    rows_rollbacked_with_errors: int  # rowsRollbackedWithErrors
    state: str
    percentage_processed: float  # percentageProcessed
    total_to_process: int  # totalToProcess
    url: str
    file_import_type: str | None  # fileImportType
    file_size: int  # fileSize
    analysis_result: Mapping[str, Any] | None  # analysisResult
    analysis_result_json: str | None  # analysisResultJson
    state_internationalizable_key: str  # stateInternationalizableKey
    internationalized_state: str  # internationalizedState
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def _read(cls, data: Any, path: str) -> Self:
        d = _r.obj(data, path)
        return cls(
            id=_r.scalar(d, "id", path, _r.INTEGER, True),
            creation_date=_r.scalar(d, "creationDate", path, _r.INTEGER, True),
            modification_date=_r.scalar(d, "modificationDate", path, _r.INTEGER, True),
            creation_operator=_r.scalar(d, "creationOperator", path, _r.INTEGER, True),
            modification_operator=_r.scalar(d, "modificationOperator", path, _r.INTEGER, True),
            name=_r.scalar(d, "name", path, _r.STRING, True),
            file_name=_r.scalar(d, "fileName", path, _r.STRING, True),
            file_type=_r.scalar(d, "fileType", path, _r.STRING, True),
            owner=_r.model(d, "owner", path, ImportRecordOwner._read),
            related_entity_type=_r.scalar(d, "relatedEntityType", path, _INTEGER_OR_NULL, True),
            import_date=_r.scalar(d, "importDate", path, _r.INTEGER, True),
            user_id=_r.scalar(d, "userId", path, _r.INTEGER, True),
            partner_datasource_id=_r.scalar(d, "partnerDatasourceId", path, _INTEGER_OR_NULL, True),
            medium_context_data=_r.model(d, "mediumContextData", path, MediumContextData._read),
            medium_context_data_json=_r.scalar(d, "mediumContextDataJson", path, _r.STRING, True),
            rows=_r.scalar(d, "rows", path, _r.INTEGER, True),
            rows_ok=_r.scalar(d, "rowsOk", path, _r.INTEGER, True),
            rows_with_errors=_r.scalar(d, "rowsWithErrors", path, _r.INTEGER, True),
            rows_skipped=_r.scalar(d, "rowsSkipped", path, _r.INTEGER, True),
            rows_rollbacked=_r.scalar(d, "rowsRollbacked", path, _r.INTEGER, True),
            rows_rollbacked_with_errors=_r.scalar(
                d, "rowsRollbackedWithErrors", path, _r.INTEGER, True
            ),
            state=_r.scalar(d, "state", path, _r.STRING, True),
            percentage_processed=_r.scalar(d, "percentageProcessed", path, _r.NUMBER, True),
            total_to_process=_r.scalar(d, "totalToProcess", path, _r.INTEGER, True),
            url=_r.scalar(d, "url", path, _r.STRING, True),
            file_import_type=_r.scalar(d, "fileImportType", path, _STRING_OR_NULL, True),
            file_size=_r.scalar(d, "fileSize", path, _r.INTEGER, True),
            analysis_result=_r.scalar(d, "analysisResult", path, _OBJECT_OR_NULL, True),
            analysis_result_json=_r.scalar(d, "analysisResultJson", path, _STRING_OR_NULL, True),
            state_internationalizable_key=_r.scalar(
                d, "stateInternationalizableKey", path, _r.STRING, True
            ),
            internationalized_state=_r.scalar(d, "internationalizedState", path, _r.STRING, True),
            extra=_r.extra(d, cls._KNOWN),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "creationDate": self.creation_date,
            "modificationDate": self.modification_date,
            "creationOperator": self.creation_operator,
            "modificationOperator": self.modification_operator,
            "name": self.name,
            "fileName": self.file_name,
            "fileType": self.file_type,
            "owner": self.owner.to_json(),
            "relatedEntityType": self.related_entity_type,
            "importDate": self.import_date,
            "userId": self.user_id,
            "partnerDatasourceId": self.partner_datasource_id,
            "mediumContextData": self.medium_context_data.to_json(),
            "mediumContextDataJson": self.medium_context_data_json,
            "rows": self.rows,
            "rowsOk": self.rows_ok,
            "rowsWithErrors": self.rows_with_errors,
            "rowsSkipped": self.rows_skipped,
            "rowsRollbacked": self.rows_rollbacked,
            "rowsRollbackedWithErrors": self.rows_rollbacked_with_errors,
            "state": self.state,
            "percentageProcessed": self.percentage_processed,
            "totalToProcess": self.total_to_process,
            "url": self.url,
            "fileImportType": self.file_import_type,
            "fileSize": self.file_size,
            "analysisResult": None if self.analysis_result is None else dict(self.analysis_result),
            "analysisResultJson": self.analysis_result_json,
            "stateInternationalizableKey": self.state_internationalizable_key,
            "internationalizedState": self.internationalized_state,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportPage(Model):
    """Thalamus import list page. One page of GET /api/v4/import/status. The endpoint and its
    filters are documented; the page's envelope is not, so its shape is a kit decision.

    Schema: ``thalamus/import-page.json`` (tolerant).
    """

    LOCATION: ClassVar[tuple[str, str, str]] = (
        "thalamus",
        "import-page",
        "",
    )
    _KNOWN: ClassVar[frozenset[str]] = frozenset(
        {
            "items",
            "page",
            "pageSize",
            "totalItems",
            "totalPages",
        }
    )

    items: tuple[ImportRecord, ...]
    page: int
    page_size: int  # pageSize
    total_items: int  # totalItems
    total_pages: int  # totalPages
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def _read(cls, data: Any, path: str) -> Self:
        d = _r.obj(data, path)
        return cls(
            items=_r.models(d, "items", path, ImportRecord._read),
            page=_r.scalar(d, "page", path, _r.INTEGER, True),
            page_size=_r.scalar(d, "pageSize", path, _r.INTEGER, True),
            total_items=_r.scalar(d, "totalItems", path, _r.INTEGER, True),
            total_pages=_r.scalar(d, "totalPages", path, _r.INTEGER, True),
            extra=_r.extra(d, cls._KNOWN),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "items": [item.to_json() for item in self.items],
            "page": self.page,
            "pageSize": self.page_size,
            "totalItems": self.total_items,
            "totalPages": self.total_pages,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class MongoObjectId(Model):
    """A MongoDB extended-JSON object id: 24 hexadecimal characters.

    Schema: ``tealium/common.json#/$defs/objectId`` (tolerant).
    """

    LOCATION: ClassVar[tuple[str, str, str]] = (
        "tealium",
        "common",
        "/$defs/objectId",
    )
    _KNOWN: ClassVar[frozenset[str]] = frozenset(
        {
            "$oid",
        }
    )

    oid: str  # $oid
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def _read(cls, data: Any, path: str) -> Self:
        d = _r.obj(data, path)
        return cls(
            oid=_r.scalar(d, "$oid", path, _r.STRING, True),
            extra=_r.extra(d, cls._KNOWN),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "$oid": self.oid,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class MongoDate(Model):
    """A MongoDB extended-JSON date: an ISO-8601 UTC timestamp with milliseconds.

    Schema: ``tealium/common.json#/$defs/date`` (tolerant).
    """

    LOCATION: ClassVar[tuple[str, str, str]] = (
        "tealium",
        "common",
        "/$defs/date",
    )
    _KNOWN: ClassVar[frozenset[str]] = frozenset(
        {
            "$date",
        }
    )

    date: str  # $date
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def _read(cls, data: Any, path: str) -> Self:
        d = _r.obj(data, path)
        return cls(
            date=_r.scalar(d, "$date", path, _r.STRING, True),
            extra=_r.extra(d, cls._KNOWN),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "$date": self.date,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class FileStatusFileSource(Model):
    """The ``source`` object of :class:`FileStatusFile`.

    Schema: ``tealium/file-status.json#/properties/file/properties/source`` (tolerant).
    """

    LOCATION: ClassVar[tuple[str, str, str]] = (
        "tealium",
        "file-status",
        "/properties/file/properties/source",
    )
    _KNOWN: ClassVar[frozenset[str]] = frozenset(
        {
            "host",
            "type",
        }
    )

    type: str
    host: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def _read(cls, data: Any, path: str) -> Self:
        d = _r.obj(data, path)
        return cls(
            type=_r.scalar(d, "type", path, _r.STRING, True),
            host=_r.scalar(d, "host", path, _r.STRING, True),
            extra=_r.extra(d, cls._KNOWN),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "host": self.host,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class FileStatusFile(Model):
    """The ``file`` object of :class:`FileStatus`.

    Schema: ``tealium/file-status.json#/properties/file`` (tolerant).
    """

    LOCATION: ClassVar[tuple[str, str, str]] = (
        "tealium",
        "file-status",
        "/properties/file",
    )
    _KNOWN: ClassVar[frozenset[str]] = frozenset(
        {
            "checksum",
            "line_count",
            "name",
            "size",
            "source",
        }
    )

    name: str
    size: int
    checksum: str
    source: FileStatusFileSource
    line_count: int
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def _read(cls, data: Any, path: str) -> Self:
        d = _r.obj(data, path)
        return cls(
            name=_r.scalar(d, "name", path, _r.STRING, True),
            size=_r.scalar(d, "size", path, _r.INTEGER, True),
            checksum=_r.scalar(d, "checksum", path, _r.STRING, True),
            source=_r.model(d, "source", path, FileStatusFileSource._read),
            line_count=_r.scalar(d, "line_count", path, _r.INTEGER, True),
            extra=_r.extra(d, cls._KNOWN),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "size": self.size,
            "checksum": self.checksum,
            "source": self.source.to_json(),
            "line_count": self.line_count,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusEntry(Model):
    """Tealium file status entry. One step of a file's processing history, an item of the status
    object's status[].

    Schema: ``tealium/status-entry.json`` (tolerant).
    """

    LOCATION: ClassVar[tuple[str, str, str]] = (
        "tealium",
        "status-entry",
        "",
    )
    _KNOWN: ClassVar[frozenset[str]] = frozenset(
        {
            "last_failure",
            "lines_failed_processing",
            "lines_skipped",
            "lines_successfully_processed",
            "state",
            "timestamp",
        }
    )

    state: str
    timestamp: MongoDate
    lines_successfully_processed: int | None = None
    lines_skipped: int | None = None
    lines_failed_processing: int | None = None
    last_failure: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def _read(cls, data: Any, path: str) -> Self:
        d = _r.obj(data, path)
        return cls(
            state=_r.scalar(d, "state", path, _r.STRING, True),
            timestamp=_r.model(d, "timestamp", path, MongoDate._read),
            lines_successfully_processed=_r.scalar(
                d, "lines_successfully_processed", path, _r.INTEGER, False
            ),
            lines_skipped=_r.scalar(d, "lines_skipped", path, _r.INTEGER, False),
            lines_failed_processing=_r.scalar(
                d, "lines_failed_processing", path, _r.INTEGER, False
            ),
            last_failure=_r.scalar(d, "last_failure", path, _r.STRING, False),
            extra=_r.extra(d, cls._KNOWN),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "state": self.state,
            "timestamp": self.timestamp.to_json(),
        }
        if self.lines_successfully_processed is not None:
            out["lines_successfully_processed"] = self.lines_successfully_processed
        if self.lines_skipped is not None:
            out["lines_skipped"] = self.lines_skipped
        if self.lines_failed_processing is not None:
            out["lines_failed_processing"] = self.lines_failed_processing
        if self.last_failure is not None:
            out["last_failure"] = self.last_failure
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class FileStatus(Model):
    """Tealium Omnichannel file status. The status of one file of an Omnichannel File Definition:
    the 200 body of GET .../files/{file name}, and an item of /search.

    Schema: ``tealium/file-status.json`` (tolerant).
    """

    LOCATION: ClassVar[tuple[str, str, str]] = (
        "tealium",
        "file-status",
        "",
    )
    _KNOWN: ClassVar[frozenset[str]] = frozenset(
        {
            "_id",
            "account",
            "created_at",
            "file",
            "node_id",
            "profile",
            "status",
        }
    )

    id: MongoObjectId  # _id
    account: str
    created_at: MongoDate
    file: FileStatusFile
    node_id: str
    profile: str
    status: tuple[StatusEntry, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def _read(cls, data: Any, path: str) -> Self:
        d = _r.obj(data, path)
        return cls(
            id=_r.model(d, "_id", path, MongoObjectId._read),
            account=_r.scalar(d, "account", path, _r.STRING, True),
            created_at=_r.model(d, "created_at", path, MongoDate._read),
            file=_r.model(d, "file", path, FileStatusFile._read),
            node_id=_r.scalar(d, "node_id", path, _r.STRING, True),
            profile=_r.scalar(d, "profile", path, _r.STRING, True),
            status=_r.models(d, "status", path, StatusEntry._read),
            extra=_r.extra(d, cls._KNOWN),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "_id": self.id.to_json(),
            "account": self.account,
            "created_at": self.created_at.to_json(),
            "file": self.file.to_json(),
            "node_id": self.node_id,
            "profile": self.profile,
            "status": [item.to_json() for item in self.status],
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class FileCount(Model):
    """Tealium file count. The 200 body of GET .../files/count.

    Schema: ``tealium/count.json`` (tolerant).
    """

    LOCATION: ClassVar[tuple[str, str, str]] = (
        "tealium",
        "count",
        "",
    )
    _KNOWN: ClassVar[frozenset[str]] = frozenset(
        {
            "count",
        }
    )

    count: int
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def _read(cls, data: Any, path: str) -> Self:
        d = _r.obj(data, path)
        return cls(
            count=_r.scalar(d, "count", path, _r.INTEGER, True),
            extra=_r.extra(d, cls._KNOWN),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "count": self.count,
        }
        out.update(self.extra)
        return out
