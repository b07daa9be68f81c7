"""The document upload form of the API (R85, issue 12): one file (``kind`` + ``file``) or the documents
of the agency wizard's document step together (``kinds`` + ``files``, paired in order).

The form is parsed by :class:`DocumentFormParser` while it streams in: a file past ``HB_MAX_UPLOAD_BYTES``,
more than ``API_FILES_PER_REQUEST`` files, or files together past ``max_upload_total_bytes`` are refused
(413) as soon as the count passes the limit, and nothing more is read. Every text field (name and value)
and every file name passes the 個人番号 guard. Errors name the field: ``file``, ``files[2]``, ``kinds[2]``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartParser

from service.errors import DomainError, InvalidRequest, PayloadTooLarge

#: Files one API upload request may carry (the wizard's document step sends the R85 checklist, at most
#: six documents, and a few extra papers).
API_FILES_PER_REQUEST = 12
#: Text fields one upload request may carry (``kinds`` for each file, ``application_id``, ``kind``).
API_FIELDS_PER_REQUEST = API_FILES_PER_REQUEST + 4


def max_upload_total_bytes(max_upload_bytes: int) -> int:
    """The cap on the files of one upload request together: four files of the largest size."""
    return 4 * max_upload_bytes


class RefusedUpload(HTTPException):
    """A refusal raised while FastAPI parses the form (only an HTTPException passes its body parsing
    unchanged); answered as ``error`` is (``service.app``)."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(status_code=error.status_code, detail=error.message)
        self.error = error


def file_field(name: str, index: int) -> str:
    """How an error names the ``index``-th file part called ``name``: ``file`` or ``files[2]``."""
    return f"{name}[{index}]" if name == "files" else name


class DocumentFormParser(MultiPartParser):
    """Starlette's multipart parser with the upload limits applied to every chunk as it arrives."""

    def __init__(self, headers: Any, stream: Any, *, max_file_bytes: int, max_total_bytes: int,
                 max_files: int, max_fields: int) -> None:
        super().__init__(headers, stream, max_files=max_files, max_fields=max_fields)
        self.max_file_bytes = max_file_bytes
        self.max_total_bytes = max_total_bytes
        self._file_bytes = 0
        self._total_bytes = 0
        self._seen: dict[str, int] = {}
        self._field = ""

    def on_headers_finished(self) -> None:
        try:
            super().on_headers_finished()
        except Exception as exc:
            if self._current_files > self.max_files:
                raise RefusedUpload(PayloadTooLarge(f"at most {self.max_files} files in one request",
                                                    field="files")) from exc
            raise
        if self._current_part.file is not None:
            name = self._current_part.field_name
            index = self._seen.get(name, 0)
            self._seen[name] = index + 1
            self._field, self._file_bytes = file_field(name, index), 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current_part.file is not None:
            self._file_bytes += end - start
            self._total_bytes += end - start
            if self._file_bytes > self.max_file_bytes:
                raise RefusedUpload(PayloadTooLarge(f"file is larger than {self.max_file_bytes} bytes",
                                                    field=self._field))
            if self._total_bytes > self.max_total_bytes:
                raise RefusedUpload(PayloadTooLarge(f"the files together are larger than {self.max_total_bytes} "
                                                    "bytes", field=self._field))
        super().on_part_data(data, start, end)


def guard_upload_form(form: FormData) -> None:
    """The 個人番号 guard over every field name and value and every file name of the form."""
    from service.security import contains_individual_number

    seen: dict[str, int] = {}
    for name, value in form.multi_items():
        index = seen.get(name, 0)
        seen[name] = index + 1
        label = f"{name}[{index}]" if name in ("files", "kinds") else name
        if isinstance(value, UploadFile):  # the file name: ``filename`` / ``files[2].filename``
            text, text_label = value.filename or "", "filename" if name == "file" else f"{label}.filename"
        else:
            text, text_label = str(value), label
        for checked, field in ((name, label), (text, text_label)):
            if contains_individual_number(checked):
                raise RefusedUpload(InvalidRequest("a 個人番号 (My Number) must never be sent or stored",
                                                   code="individual_number", field=field))


class DocumentUploadRequest(Request):
    """A request whose multipart form is parsed with the upload limits (:class:`DocumentFormParser`)."""

    async def _get_form(self, *, max_files: int | float = 1000, max_fields: int | float = 1000,
                        max_part_size: int = 1024 * 1024) -> FormData:
        if self._form is None and self.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            from contextlib import aclosing

            from starlette.formparsers import MultiPartException

            settings = self.app.state.settings
            try:
                async with aclosing(self.stream()) as stream:
                    parser = DocumentFormParser(
                        self.headers, stream, max_file_bytes=settings.max_upload_bytes,
                        max_total_bytes=max_upload_total_bytes(settings.max_upload_bytes),
                        max_files=API_FILES_PER_REQUEST, max_fields=API_FIELDS_PER_REQUEST)
                    form = await parser.parse()
            except MultiPartException as exc:
                raise HTTPException(status_code=400, detail=exc.message) from exc
            try:
                guard_upload_form(form)
            except RefusedUpload:
                await form.close()
                raise
            self._form = form
        return await super()._get_form(max_files=max_files, max_fields=max_fields, max_part_size=max_part_size)


class DocumentUploadRoute(APIRoute):
    """The route class of the upload operation: its handler sees a :class:`DocumentUploadRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            return await handler(DocumentUploadRequest(request.scope, request.receive))

        return limited
