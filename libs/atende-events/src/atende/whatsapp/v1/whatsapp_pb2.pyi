import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DeliveryStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELIVERY_STATUS_UNSPECIFIED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_ACCEPTED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_SENT: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_DELIVERED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_READ: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_PLAYED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_FAILED: _ClassVar[DeliveryStatus]
DELIVERY_STATUS_UNSPECIFIED: DeliveryStatus
DELIVERY_STATUS_ACCEPTED: DeliveryStatus
DELIVERY_STATUS_SENT: DeliveryStatus
DELIVERY_STATUS_DELIVERED: DeliveryStatus
DELIVERY_STATUS_READ: DeliveryStatus
DELIVERY_STATUS_PLAYED: DeliveryStatus
DELIVERY_STATUS_FAILED: DeliveryStatus

class WebhookReceived(_message.Message):
    __slots__ = ("raw_body", "received_at", "phone_number_id")
    RAW_BODY_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_ID_FIELD_NUMBER: _ClassVar[int]
    raw_body: bytes
    received_at: _timestamp_pb2.Timestamp
    phone_number_id: str
    def __init__(self, raw_body: _Optional[bytes] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., phone_number_id: _Optional[str] = ...) -> None: ...

class SendMessage(_message.Message):
    __slots__ = ("command_id", "conversation_id", "phone_number_id", "to", "reply_to_message_id", "biz_opaque_callback_data", "fallback_template", "text", "image", "document", "audio", "video", "template", "buttons", "list", "mark_read", "reaction")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_ID_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    REPLY_TO_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    BIZ_OPAQUE_CALLBACK_DATA_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    BUTTONS_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    MARK_READ_FIELD_NUMBER: _ClassVar[int]
    REACTION_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    conversation_id: str
    phone_number_id: str
    to: str
    reply_to_message_id: str
    biz_opaque_callback_data: str
    fallback_template: Template
    text: Text
    image: Media
    document: Media
    audio: Media
    video: Media
    template: Template
    buttons: ReplyButtons
    list: ListMessage
    mark_read: MarkRead
    reaction: Reaction
    def __init__(self, command_id: _Optional[str] = ..., conversation_id: _Optional[str] = ..., phone_number_id: _Optional[str] = ..., to: _Optional[str] = ..., reply_to_message_id: _Optional[str] = ..., biz_opaque_callback_data: _Optional[str] = ..., fallback_template: _Optional[_Union[Template, _Mapping]] = ..., text: _Optional[_Union[Text, _Mapping]] = ..., image: _Optional[_Union[Media, _Mapping]] = ..., document: _Optional[_Union[Media, _Mapping]] = ..., audio: _Optional[_Union[Media, _Mapping]] = ..., video: _Optional[_Union[Media, _Mapping]] = ..., template: _Optional[_Union[Template, _Mapping]] = ..., buttons: _Optional[_Union[ReplyButtons, _Mapping]] = ..., list: _Optional[_Union[ListMessage, _Mapping]] = ..., mark_read: _Optional[_Union[MarkRead, _Mapping]] = ..., reaction: _Optional[_Union[Reaction, _Mapping]] = ...) -> None: ...

class Text(_message.Message):
    __slots__ = ("body", "preview_url")
    BODY_FIELD_NUMBER: _ClassVar[int]
    PREVIEW_URL_FIELD_NUMBER: _ClassVar[int]
    body: str
    preview_url: bool
    def __init__(self, body: _Optional[str] = ..., preview_url: _Optional[bool] = ...) -> None: ...

class Media(_message.Message):
    __slots__ = ("media_id", "link", "caption", "filename")
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    LINK_FIELD_NUMBER: _ClassVar[int]
    CAPTION_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    media_id: str
    link: str
    caption: str
    filename: str
    def __init__(self, media_id: _Optional[str] = ..., link: _Optional[str] = ..., caption: _Optional[str] = ..., filename: _Optional[str] = ...) -> None: ...

class TemplateParameter(_message.Message):
    __slots__ = ("kind", "text", "media", "parameter_name")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[TemplateParameter.Kind]
        KIND_TEXT: _ClassVar[TemplateParameter.Kind]
        KIND_DOCUMENT: _ClassVar[TemplateParameter.Kind]
        KIND_IMAGE: _ClassVar[TemplateParameter.Kind]
        KIND_PAYLOAD: _ClassVar[TemplateParameter.Kind]
    KIND_UNSPECIFIED: TemplateParameter.Kind
    KIND_TEXT: TemplateParameter.Kind
    KIND_DOCUMENT: TemplateParameter.Kind
    KIND_IMAGE: TemplateParameter.Kind
    KIND_PAYLOAD: TemplateParameter.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_NAME_FIELD_NUMBER: _ClassVar[int]
    kind: TemplateParameter.Kind
    text: str
    media: Media
    parameter_name: str
    def __init__(self, kind: _Optional[_Union[TemplateParameter.Kind, str]] = ..., text: _Optional[str] = ..., media: _Optional[_Union[Media, _Mapping]] = ..., parameter_name: _Optional[str] = ...) -> None: ...

class TemplateButton(_message.Message):
    __slots__ = ("sub_type", "index", "parameters")
    SUB_TYPE_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    sub_type: str
    index: int
    parameters: _containers.RepeatedCompositeFieldContainer[TemplateParameter]
    def __init__(self, sub_type: _Optional[str] = ..., index: _Optional[int] = ..., parameters: _Optional[_Iterable[_Union[TemplateParameter, _Mapping]]] = ...) -> None: ...

class Template(_message.Message):
    __slots__ = ("name", "language", "header", "body", "buttons")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    BUTTONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    language: str
    header: _containers.RepeatedCompositeFieldContainer[TemplateParameter]
    body: _containers.RepeatedCompositeFieldContainer[TemplateParameter]
    buttons: _containers.RepeatedCompositeFieldContainer[TemplateButton]
    def __init__(self, name: _Optional[str] = ..., language: _Optional[str] = ..., header: _Optional[_Iterable[_Union[TemplateParameter, _Mapping]]] = ..., body: _Optional[_Iterable[_Union[TemplateParameter, _Mapping]]] = ..., buttons: _Optional[_Iterable[_Union[TemplateButton, _Mapping]]] = ...) -> None: ...

class Button(_message.Message):
    __slots__ = ("id", "title")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ...) -> None: ...

class ReplyButtons(_message.Message):
    __slots__ = ("header", "body", "footer", "buttons")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    FOOTER_FIELD_NUMBER: _ClassVar[int]
    BUTTONS_FIELD_NUMBER: _ClassVar[int]
    header: str
    body: str
    footer: str
    buttons: _containers.RepeatedCompositeFieldContainer[Button]
    def __init__(self, header: _Optional[str] = ..., body: _Optional[str] = ..., footer: _Optional[str] = ..., buttons: _Optional[_Iterable[_Union[Button, _Mapping]]] = ...) -> None: ...

class ListRow(_message.Message):
    __slots__ = ("id", "title", "description")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    description: str
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class ListSection(_message.Message):
    __slots__ = ("title", "rows")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    title: str
    rows: _containers.RepeatedCompositeFieldContainer[ListRow]
    def __init__(self, title: _Optional[str] = ..., rows: _Optional[_Iterable[_Union[ListRow, _Mapping]]] = ...) -> None: ...

class ListMessage(_message.Message):
    __slots__ = ("header", "body", "footer", "button", "sections")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    FOOTER_FIELD_NUMBER: _ClassVar[int]
    BUTTON_FIELD_NUMBER: _ClassVar[int]
    SECTIONS_FIELD_NUMBER: _ClassVar[int]
    header: str
    body: str
    footer: str
    button: str
    sections: _containers.RepeatedCompositeFieldContainer[ListSection]
    def __init__(self, header: _Optional[str] = ..., body: _Optional[str] = ..., footer: _Optional[str] = ..., button: _Optional[str] = ..., sections: _Optional[_Iterable[_Union[ListSection, _Mapping]]] = ...) -> None: ...

class MarkRead(_message.Message):
    __slots__ = ("message_id", "typing_indicator")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    TYPING_INDICATOR_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    typing_indicator: bool
    def __init__(self, message_id: _Optional[str] = ..., typing_indicator: _Optional[bool] = ...) -> None: ...

class Reaction(_message.Message):
    __slots__ = ("message_id", "emoji")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    EMOJI_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    emoji: str
    def __init__(self, message_id: _Optional[str] = ..., emoji: _Optional[str] = ...) -> None: ...

class GraphError(_message.Message):
    __slots__ = ("code", "title", "message", "details")
    CODE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    code: int
    title: str
    message: str
    details: str
    def __init__(self, code: _Optional[int] = ..., title: _Optional[str] = ..., message: _Optional[str] = ..., details: _Optional[str] = ...) -> None: ...

class MessageStatusChanged(_message.Message):
    __slots__ = ("conversation_id", "message_id", "command_id", "status", "occurred_at", "recipient_id", "errors", "biz_opaque_callback_data", "pricing_category")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    BIZ_OPAQUE_CALLBACK_DATA_FIELD_NUMBER: _ClassVar[int]
    PRICING_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    message_id: str
    command_id: str
    status: DeliveryStatus
    occurred_at: _timestamp_pb2.Timestamp
    recipient_id: str
    errors: _containers.RepeatedCompositeFieldContainer[GraphError]
    biz_opaque_callback_data: str
    pricing_category: str
    def __init__(self, conversation_id: _Optional[str] = ..., message_id: _Optional[str] = ..., command_id: _Optional[str] = ..., status: _Optional[_Union[DeliveryStatus, str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recipient_id: _Optional[str] = ..., errors: _Optional[_Iterable[_Union[GraphError, _Mapping]]] = ..., biz_opaque_callback_data: _Optional[str] = ..., pricing_category: _Optional[str] = ...) -> None: ...
