"""The bare FastAPI endpoint the ingress is compared with (served by uvicorn like the gateway)."""

from fastapi import FastAPI, Request, Response


def bare() -> FastAPI:
    """One POST route that reads the body and answers 200: the framework's floor for this request."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/webhooks/whatsapp")
    async def receive(request: Request) -> Response:
        await request.body()
        return Response(b"ok", media_type="text/plain")

    return app
