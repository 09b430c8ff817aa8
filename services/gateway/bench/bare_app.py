"""The bare FastAPI endpoints the gateway is compared with (served by uvicorn like the gateway)."""

from fastapi import FastAPI, Request, Response


def bare() -> FastAPI:
    """The framework's floor: a POST route that reads the body (the webhook ingress's baseline) and a
    GET route that answers a small JSON (the operator API's)."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/webhooks/whatsapp")
    async def receive(request: Request) -> Response:
        await request.body()
        return Response(b"ok", media_type="text/plain")

    @app.get("/operator/bare")
    async def read() -> dict[str, object]:
        return {"items": [], "next_cursor": None}

    return app
