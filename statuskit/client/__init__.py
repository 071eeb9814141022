"""The reference client for Thalamus v4 and Tealium Omnichannel.

For now, its typed records: ``models`` (generated from the schemas).
"""

from __future__ import annotations

from statuskit.client.models import FileCount, FileStatus, ImportPage, ImportRecord, Model

__all__ = ["FileCount", "FileStatus", "ImportPage", "ImportRecord", "Model"]
