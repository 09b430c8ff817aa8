"""Secrets from AWS Secrets Manager (boto3; imported only when this provider is configured).

A reference is a secret's name or ARN (`SECRETS_AWS_PREFIX` in front), optionally `#key` for one
key of a JSON secret (the console's "key/value" secrets). The current version (AWSCURRENT) is read,
so a rotation in Secrets Manager reaches us at the next refresh.
"""

from __future__ import annotations

from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from atende_core.errors import SecretNotFound, SecretsUnavailable
from atende_core.secrets.base import pick_key, split_ref

_NOT_FOUND = frozenset({"ResourceNotFoundException"})


class AwsSecretsManagerProvider:
    """GetSecretValue on one pooled boto3 client (credentials from boto3's default chain)."""

    name = "aws"

    def __init__(
        self,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        prefix: str = "",
        timeout_s: float = 5.0,
        client: Any = None,
    ) -> None:
        self._prefix = prefix
        self._client = client or boto3.client(
            "secretsmanager",
            region_name=region,
            endpoint_url=endpoint_url,
            config=Config(connect_timeout=timeout_s, read_timeout=timeout_s, retries={"max_attempts": 2}),
        )

    def get(self, ref: str) -> str:
        """The secret's current string value (or one JSON key of it)."""
        name, key = split_ref(ref)
        secret_id = self._prefix + name
        try:
            answer = self._client.get_secret_value(SecretId=secret_id)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in _NOT_FOUND:
                raise SecretNotFound(f"AWS Secrets Manager has no secret {secret_id!r}") from None
            raise SecretsUnavailable(f"AWS Secrets Manager refused secret {secret_id!r}: {code}") from None
        except BotoCoreError as exc:
            raise SecretsUnavailable(
                f"AWS Secrets Manager did not answer for {secret_id!r}: {type(exc).__name__}"
            ) from None
        if isinstance(answer.get("SecretString"), str):
            value = answer["SecretString"]
        elif isinstance(answer.get("SecretBinary"), bytes):
            try:
                value = answer["SecretBinary"].decode("utf-8")
            except UnicodeDecodeError:
                raise SecretNotFound(f"AWS secret {secret_id!r} is binary, not text") from None
        else:
            raise SecretsUnavailable(f"AWS Secrets Manager answered {secret_id!r} without a value")
        return pick_key(ref, value, key)
