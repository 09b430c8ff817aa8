from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NotificationRequested(_message.Message):
    __slots__ = ("notification_id", "channel", "to", "subject", "body", "severity")
    class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CHANNEL_UNSPECIFIED: _ClassVar[NotificationRequested.Channel]
        CHANNEL_EMAIL: _ClassVar[NotificationRequested.Channel]
        CHANNEL_SLACK: _ClassVar[NotificationRequested.Channel]
    CHANNEL_UNSPECIFIED: NotificationRequested.Channel
    CHANNEL_EMAIL: NotificationRequested.Channel
    CHANNEL_SLACK: NotificationRequested.Channel
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    channel: NotificationRequested.Channel
    to: str
    subject: str
    body: str
    severity: str
    def __init__(self, notification_id: _Optional[str] = ..., channel: _Optional[_Union[NotificationRequested.Channel, str]] = ..., to: _Optional[str] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., severity: _Optional[str] = ...) -> None: ...
