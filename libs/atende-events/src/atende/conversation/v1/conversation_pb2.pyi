import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InboundMessage(_message.Message):
    __slots__ = ("conversation_id", "message_id", "phone_number_id", "wa_id", "profile_name", "sent_at", "stale", "context_message_id", "forwarded", "text", "interactive_reply", "template_button", "media", "location", "contacts", "reaction", "unsupported")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_ID_FIELD_NUMBER: _ClassVar[int]
    WA_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    PROFILE_NAME_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    FORWARDED_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    INTERACTIVE_REPLY_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_BUTTON_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    REACTION_FIELD_NUMBER: _ClassVar[int]
    UNSUPPORTED_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    message_id: str
    phone_number_id: str
    wa_id: str
    profile_name: str
    sent_at: _timestamp_pb2.Timestamp
    stale: bool
    context_message_id: str
    forwarded: bool
    text: TextContent
    interactive_reply: InteractiveReply
    template_button: TemplateButtonReply
    media: MediaContent
    location: LocationContent
    contacts: ContactsContent
    reaction: ReactionContent
    unsupported: UnsupportedContent
    def __init__(self, conversation_id: _Optional[str] = ..., message_id: _Optional[str] = ..., phone_number_id: _Optional[str] = ..., wa_id: _Optional[str] = ..., profile_name: _Optional[str] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stale: _Optional[bool] = ..., context_message_id: _Optional[str] = ..., forwarded: _Optional[bool] = ..., text: _Optional[_Union[TextContent, _Mapping]] = ..., interactive_reply: _Optional[_Union[InteractiveReply, _Mapping]] = ..., template_button: _Optional[_Union[TemplateButtonReply, _Mapping]] = ..., media: _Optional[_Union[MediaContent, _Mapping]] = ..., location: _Optional[_Union[LocationContent, _Mapping]] = ..., contacts: _Optional[_Union[ContactsContent, _Mapping]] = ..., reaction: _Optional[_Union[ReactionContent, _Mapping]] = ..., unsupported: _Optional[_Union[UnsupportedContent, _Mapping]] = ..., **kwargs) -> None: ...

class TextContent(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: str
    def __init__(self, body: _Optional[str] = ...) -> None: ...

class InteractiveReply(_message.Message):
    __slots__ = ("kind", "id", "title", "description")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[InteractiveReply.Kind]
        KIND_BUTTON: _ClassVar[InteractiveReply.Kind]
        KIND_LIST: _ClassVar[InteractiveReply.Kind]
    KIND_UNSPECIFIED: InteractiveReply.Kind
    KIND_BUTTON: InteractiveReply.Kind
    KIND_LIST: InteractiveReply.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    kind: InteractiveReply.Kind
    id: str
    title: str
    description: str
    def __init__(self, kind: _Optional[_Union[InteractiveReply.Kind, str]] = ..., id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class TemplateButtonReply(_message.Message):
    __slots__ = ("payload", "text")
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    payload: str
    text: str
    def __init__(self, payload: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class MediaContent(_message.Message):
    __slots__ = ("kind", "media_id", "mime_type", "sha256", "caption", "filename", "url", "voice", "animated")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[MediaContent.Kind]
        KIND_IMAGE: _ClassVar[MediaContent.Kind]
        KIND_DOCUMENT: _ClassVar[MediaContent.Kind]
        KIND_AUDIO: _ClassVar[MediaContent.Kind]
        KIND_VIDEO: _ClassVar[MediaContent.Kind]
        KIND_STICKER: _ClassVar[MediaContent.Kind]
    KIND_UNSPECIFIED: MediaContent.Kind
    KIND_IMAGE: MediaContent.Kind
    KIND_DOCUMENT: MediaContent.Kind
    KIND_AUDIO: MediaContent.Kind
    KIND_VIDEO: MediaContent.Kind
    KIND_STICKER: MediaContent.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    CAPTION_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    ANIMATED_FIELD_NUMBER: _ClassVar[int]
    kind: MediaContent.Kind
    media_id: str
    mime_type: str
    sha256: str
    caption: str
    filename: str
    url: str
    voice: bool
    animated: bool
    def __init__(self, kind: _Optional[_Union[MediaContent.Kind, str]] = ..., media_id: _Optional[str] = ..., mime_type: _Optional[str] = ..., sha256: _Optional[str] = ..., caption: _Optional[str] = ..., filename: _Optional[str] = ..., url: _Optional[str] = ..., voice: _Optional[bool] = ..., animated: _Optional[bool] = ...) -> None: ...

class LocationContent(_message.Message):
    __slots__ = ("latitude", "longitude", "name", "address")
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    latitude: float
    longitude: float
    name: str
    address: str
    def __init__(self, latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., name: _Optional[str] = ..., address: _Optional[str] = ...) -> None: ...

class Contact(_message.Message):
    __slots__ = ("formatted_name", "phones")
    FORMATTED_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONES_FIELD_NUMBER: _ClassVar[int]
    formatted_name: str
    phones: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, formatted_name: _Optional[str] = ..., phones: _Optional[_Iterable[str]] = ...) -> None: ...

class ContactsContent(_message.Message):
    __slots__ = ("contacts",)
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    contacts: _containers.RepeatedCompositeFieldContainer[Contact]
    def __init__(self, contacts: _Optional[_Iterable[_Union[Contact, _Mapping]]] = ...) -> None: ...

class ReactionContent(_message.Message):
    __slots__ = ("message_id", "emoji")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    EMOJI_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    emoji: str
    def __init__(self, message_id: _Optional[str] = ..., emoji: _Optional[str] = ...) -> None: ...

class UnsupportedContent(_message.Message):
    __slots__ = ("type", "error_code", "error_title")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_TITLE_FIELD_NUMBER: _ClassVar[int]
    type: str
    error_code: int
    error_title: str
    def __init__(self, type: _Optional[str] = ..., error_code: _Optional[int] = ..., error_title: _Optional[str] = ...) -> None: ...

class ConversationStarted(_message.Message):
    __slots__ = ("conversation_id", "occurred_at", "phone_number_id", "wa_id")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_ID_FIELD_NUMBER: _ClassVar[int]
    WA_ID_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    occurred_at: _timestamp_pb2.Timestamp
    phone_number_id: str
    wa_id: str
    def __init__(self, conversation_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., phone_number_id: _Optional[str] = ..., wa_id: _Optional[str] = ...) -> None: ...

class CustomerIdentified(_message.Message):
    __slots__ = ("conversation_id", "occurred_at", "customer_id", "contract_id", "document_masked", "document_index", "customer_name", "contracts")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_MASKED_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_INDEX_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTRACTS_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    occurred_at: _timestamp_pb2.Timestamp
    customer_id: str
    contract_id: str
    document_masked: str
    document_index: str
    customer_name: str
    contracts: _containers.RepeatedCompositeFieldContainer[IdentifiedContract]
    def __init__(self, conversation_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., customer_id: _Optional[str] = ..., contract_id: _Optional[str] = ..., document_masked: _Optional[str] = ..., document_index: _Optional[str] = ..., customer_name: _Optional[str] = ..., contracts: _Optional[_Iterable[_Union[IdentifiedContract, _Mapping]]] = ...) -> None: ...

class IdentifiedContract(_message.Message):
    __slots__ = ("contract_id", "status", "plan")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    status: str
    plan: str
    def __init__(self, contract_id: _Optional[str] = ..., status: _Optional[str] = ..., plan: _Optional[str] = ...) -> None: ...

class HandoffRequested(_message.Message):
    __slots__ = ("conversation_id", "occurred_at", "reason", "within_business_hours", "customer_name", "last_message", "phone_number_id", "wa_id")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    WITHIN_BUSINESS_HOURS_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_ID_FIELD_NUMBER: _ClassVar[int]
    WA_ID_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    occurred_at: _timestamp_pb2.Timestamp
    reason: str
    within_business_hours: bool
    customer_name: str
    last_message: str
    phone_number_id: str
    wa_id: str
    def __init__(self, conversation_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., within_business_hours: _Optional[bool] = ..., customer_name: _Optional[str] = ..., last_message: _Optional[str] = ..., phone_number_id: _Optional[str] = ..., wa_id: _Optional[str] = ...) -> None: ...

class HandoffAccepted(_message.Message):
    __slots__ = ("conversation_id", "occurred_at", "agent_id")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    occurred_at: _timestamp_pb2.Timestamp
    agent_id: str
    def __init__(self, conversation_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agent_id: _Optional[str] = ...) -> None: ...

class AgentReplied(_message.Message):
    __slots__ = ("conversation_id", "occurred_at", "agent_id", "text")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    occurred_at: _timestamp_pb2.Timestamp
    agent_id: str
    text: str
    def __init__(self, conversation_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agent_id: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class HandoffReleased(_message.Message):
    __slots__ = ("conversation_id", "occurred_at", "agent_id")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    occurred_at: _timestamp_pb2.Timestamp
    agent_id: str
    def __init__(self, conversation_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agent_id: _Optional[str] = ...) -> None: ...

class ConversationClosed(_message.Message):
    __slots__ = ("conversation_id", "occurred_at", "outcome", "intents", "reason", "agent_id")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    INTENTS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    occurred_at: _timestamp_pb2.Timestamp
    outcome: str
    intents: _containers.RepeatedScalarFieldContainer[str]
    reason: str
    agent_id: str
    def __init__(self, conversation_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outcome: _Optional[str] = ..., intents: _Optional[_Iterable[str]] = ..., reason: _Optional[str] = ..., agent_id: _Optional[str] = ...) -> None: ...

class CsatRecorded(_message.Message):
    __slots__ = ("conversation_id", "occurred_at", "score")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    occurred_at: _timestamp_pb2.Timestamp
    score: int
    def __init__(self, conversation_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., score: _Optional[int] = ...) -> None: ...

class AgentActionRequested(_message.Message):
    __slots__ = ("command_id", "conversation_id", "occurred_at", "agent_id", "send_bill", "register_promise", "open_ticket", "close")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SEND_BILL_FIELD_NUMBER: _ClassVar[int]
    REGISTER_PROMISE_FIELD_NUMBER: _ClassVar[int]
    OPEN_TICKET_FIELD_NUMBER: _ClassVar[int]
    CLOSE_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    conversation_id: str
    occurred_at: _timestamp_pb2.Timestamp
    agent_id: str
    send_bill: SendBill
    register_promise: RegisterPromise
    open_ticket: OpenTicketForCustomer
    close: CloseConversation
    def __init__(self, command_id: _Optional[str] = ..., conversation_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agent_id: _Optional[str] = ..., send_bill: _Optional[_Union[SendBill, _Mapping]] = ..., register_promise: _Optional[_Union[RegisterPromise, _Mapping]] = ..., open_ticket: _Optional[_Union[OpenTicketForCustomer, _Mapping]] = ..., close: _Optional[_Union[CloseConversation, _Mapping]] = ...) -> None: ...

class SendBill(_message.Message):
    __slots__ = ("contract_id",)
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    def __init__(self, contract_id: _Optional[str] = ...) -> None: ...

class RegisterPromise(_message.Message):
    __slots__ = ("contract_id",)
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    def __init__(self, contract_id: _Optional[str] = ...) -> None: ...

class OpenTicketForCustomer(_message.Message):
    __slots__ = ("contract_id", "kind", "description")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    kind: str
    description: str
    def __init__(self, contract_id: _Optional[str] = ..., kind: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class CloseConversation(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class AgentActionCompleted(_message.Message):
    __slots__ = ("command_id", "conversation_id", "occurred_at", "agent_id", "action", "outcome", "detail")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    conversation_id: str
    occurred_at: _timestamp_pb2.Timestamp
    agent_id: str
    action: str
    outcome: str
    detail: str
    def __init__(self, command_id: _Optional[str] = ..., conversation_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agent_id: _Optional[str] = ..., action: _Optional[str] = ..., outcome: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...
