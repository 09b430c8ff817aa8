import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CampaignScheduled(_message.Message):
    __slots__ = ("campaign_id", "occurred_at", "template_name", "scheduled_for", "audience_size")
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_NAME_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FOR_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_SIZE_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    occurred_at: _timestamp_pb2.Timestamp
    template_name: str
    scheduled_for: _timestamp_pb2.Timestamp
    audience_size: int
    def __init__(self, campaign_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., template_name: _Optional[str] = ..., scheduled_for: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., audience_size: _Optional[int] = ...) -> None: ...

class CampaignStarted(_message.Message):
    __slots__ = ("campaign_id", "occurred_at")
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, campaign_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CampaignProgressed(_message.Message):
    __slots__ = ("campaign_id", "occurred_at", "sent", "delivered", "read", "failed", "skipped_opt_out", "total")
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    SENT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_FIELD_NUMBER: _ClassVar[int]
    READ_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_OPT_OUT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    occurred_at: _timestamp_pb2.Timestamp
    sent: int
    delivered: int
    read: int
    failed: int
    skipped_opt_out: int
    total: int
    def __init__(self, campaign_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sent: _Optional[int] = ..., delivered: _Optional[int] = ..., read: _Optional[int] = ..., failed: _Optional[int] = ..., skipped_opt_out: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class CampaignCompleted(_message.Message):
    __slots__ = ("campaign_id", "occurred_at", "sent", "delivered", "read", "failed", "skipped_opt_out")
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    SENT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_FIELD_NUMBER: _ClassVar[int]
    READ_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_OPT_OUT_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    occurred_at: _timestamp_pb2.Timestamp
    sent: int
    delivered: int
    read: int
    failed: int
    skipped_opt_out: int
    def __init__(self, campaign_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sent: _Optional[int] = ..., delivered: _Optional[int] = ..., read: _Optional[int] = ..., failed: _Optional[int] = ..., skipped_opt_out: _Optional[int] = ...) -> None: ...
