import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SecurityEventRecorded(_message.Message):
    __slots__ = ("user_id", "kind", "occurred_at", "source_ip", "user_agent", "details")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[SecurityEventRecorded.Kind]
        KIND_LOGIN_SUCCEEDED: _ClassVar[SecurityEventRecorded.Kind]
        KIND_LOGIN_FAILED: _ClassVar[SecurityEventRecorded.Kind]
        KIND_LOCKED_OUT: _ClassVar[SecurityEventRecorded.Kind]
        KIND_ANOMALY_DETECTED: _ClassVar[SecurityEventRecorded.Kind]
        KIND_TWO_FACTOR_ENABLED: _ClassVar[SecurityEventRecorded.Kind]
        KIND_TWO_FACTOR_DISABLED: _ClassVar[SecurityEventRecorded.Kind]
        KIND_REFRESH_TOKEN_REUSED: _ClassVar[SecurityEventRecorded.Kind]
        KIND_RATE_LIMITED: _ClassVar[SecurityEventRecorded.Kind]
        KIND_NEW_IP_LOGIN: _ClassVar[SecurityEventRecorded.Kind]
        KIND_ROLE_CHANGED: _ClassVar[SecurityEventRecorded.Kind]
        KIND_USER_DEACTIVATED: _ClassVar[SecurityEventRecorded.Kind]
        KIND_PASSWORD_RESET: _ClassVar[SecurityEventRecorded.Kind]
        KIND_FAILED_LOGIN_BURST: _ClassVar[SecurityEventRecorded.Kind]
        KIND_IP_NOT_ALLOWED: _ClassVar[SecurityEventRecorded.Kind]
    KIND_UNSPECIFIED: SecurityEventRecorded.Kind
    KIND_LOGIN_SUCCEEDED: SecurityEventRecorded.Kind
    KIND_LOGIN_FAILED: SecurityEventRecorded.Kind
    KIND_LOCKED_OUT: SecurityEventRecorded.Kind
    KIND_ANOMALY_DETECTED: SecurityEventRecorded.Kind
    KIND_TWO_FACTOR_ENABLED: SecurityEventRecorded.Kind
    KIND_TWO_FACTOR_DISABLED: SecurityEventRecorded.Kind
    KIND_REFRESH_TOKEN_REUSED: SecurityEventRecorded.Kind
    KIND_RATE_LIMITED: SecurityEventRecorded.Kind
    KIND_NEW_IP_LOGIN: SecurityEventRecorded.Kind
    KIND_ROLE_CHANGED: SecurityEventRecorded.Kind
    KIND_USER_DEACTIVATED: SecurityEventRecorded.Kind
    KIND_PASSWORD_RESET: SecurityEventRecorded.Kind
    KIND_FAILED_LOGIN_BURST: SecurityEventRecorded.Kind
    KIND_IP_NOT_ALLOWED: SecurityEventRecorded.Kind
    class DetailsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IP_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    kind: SecurityEventRecorded.Kind
    occurred_at: _timestamp_pb2.Timestamp
    source_ip: str
    user_agent: str
    details: _containers.ScalarMap[str, str]
    def __init__(self, user_id: _Optional[str] = ..., kind: _Optional[_Union[SecurityEventRecorded.Kind, str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source_ip: _Optional[str] = ..., user_agent: _Optional[str] = ..., details: _Optional[_Mapping[str, str]] = ...) -> None: ...
