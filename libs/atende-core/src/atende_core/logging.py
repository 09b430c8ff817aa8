"""ECS JSON logging for ELK, with the current trace ids and PII masked before anything is written."""

from __future__ import annotations

import logging
import sys
from typing import Any

import ecs_logging
from opentelemetry import trace

from atende_core.masking import mask_text, mask_value

_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class PiiMaskingFilter(logging.Filter):
    """Masks CPF/CNPJ, phone numbers, e-mails and secrets in the message, every structured field and
    any pre-rendered traceback or stack (``exc_text``, ``stack_info``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        for key in [k for k in vars(record) if k not in _STANDARD_ATTRS]:
            setattr(record, key, mask_value(key, getattr(record, key)))
        return True


class MaskingEcsFormatter(ecs_logging.StdlibFormatter):
    """ECS JSON whose ``error.message`` and ``error.stack_trace`` are masked too: the ECS formatter renders
    them from ``exc_info`` itself, after every filter ran (an exception's text often holds the input)."""

    def format_to_ecs(self, record: logging.LogRecord) -> dict[str, Any]:
        result: dict[str, Any] = super().format_to_ecs(record)
        error = result.get("error")
        if isinstance(error, dict):
            for field in ("message", "stack_trace"):
                if isinstance(error.get(field), str):
                    error[field] = mask_text(error[field])
        return result


class TraceContextFilter(logging.Filter):
    """Adds `trace.id` and `span.id` of the active OpenTelemetry span, so Kibana links logs to traces."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.elasticapm_trace_id = format(context.trace_id, "032x")
            record.elasticapm_span_id = format(context.span_id, "016x")
        return True


def configure_logging(*, service_name: str, level: str = "INFO", environment: str = "development") -> None:
    """Send ECS JSON lines to stdout for the whole process (idempotent)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(MaskingEcsFormatter(extra={"service.name": service_name, "service.environment": environment}))
    handler.addFilter(TraceContextFilter())
    handler.addFilter(PiiMaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library chatter that would drown the service's own lines at INFO.
    for noisy in ("aiokafka", "kafka", "httpx", "httpcore", "faststream", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
