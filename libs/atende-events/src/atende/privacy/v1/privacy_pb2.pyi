import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ErasureRequested(_message.Message):
    __slots__ = ("request_id", "requested_at", "document_index", "phone_indexes", "conversation_ids", "requested_by", "resolved", "contract_ids")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_INDEX_FIELD_NUMBER: _ClassVar[int]
    PHONE_INDEXES_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_IDS_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_IDS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    requested_at: _timestamp_pb2.Timestamp
    document_index: str
    phone_indexes: _containers.RepeatedScalarFieldContainer[str]
    conversation_ids: _containers.RepeatedScalarFieldContainer[str]
    requested_by: str
    resolved: bool
    contract_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[str] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., document_index: _Optional[str] = ..., phone_indexes: _Optional[_Iterable[str]] = ..., conversation_ids: _Optional[_Iterable[str]] = ..., requested_by: _Optional[str] = ..., resolved: _Optional[bool] = ..., contract_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ErasureConfirmed(_message.Message):
    __slots__ = ("request_id", "service", "confirmed_at", "erased")
    class ErasedEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_AT_FIELD_NUMBER: _ClassVar[int]
    ERASED_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    service: str
    confirmed_at: _timestamp_pb2.Timestamp
    erased: _containers.ScalarMap[str, str]
    def __init__(self, request_id: _Optional[str] = ..., service: _Optional[str] = ..., confirmed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., erased: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ExportRequested(_message.Message):
    __slots__ = ("request_id", "requested_at", "document_index", "phone_indexes", "conversation_ids", "requested_by", "resolved", "contract_ids", "recipient_public_key")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_INDEX_FIELD_NUMBER: _ClassVar[int]
    PHONE_INDEXES_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_IDS_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_IDS_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    requested_at: _timestamp_pb2.Timestamp
    document_index: str
    phone_indexes: _containers.RepeatedScalarFieldContainer[str]
    conversation_ids: _containers.RepeatedScalarFieldContainer[str]
    requested_by: str
    resolved: bool
    contract_ids: _containers.RepeatedScalarFieldContainer[str]
    recipient_public_key: bytes
    def __init__(self, request_id: _Optional[str] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., document_index: _Optional[str] = ..., phone_indexes: _Optional[_Iterable[str]] = ..., conversation_ids: _Optional[_Iterable[str]] = ..., requested_by: _Optional[str] = ..., resolved: _Optional[bool] = ..., contract_ids: _Optional[_Iterable[str]] = ..., recipient_public_key: _Optional[bytes] = ...) -> None: ...

class ExportAnswered(_message.Message):
    __slots__ = ("request_id", "service", "answered_at", "sender_public_key", "nonce", "sealed_document")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    SENDER_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    SEALED_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    service: str
    answered_at: _timestamp_pb2.Timestamp
    sender_public_key: bytes
    nonce: bytes
    sealed_document: bytes
    def __init__(self, request_id: _Optional[str] = ..., service: _Optional[str] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sender_public_key: _Optional[bytes] = ..., nonce: _Optional[bytes] = ..., sealed_document: _Optional[bytes] = ...) -> None: ...
