"""The ASGI types, for the layers above this one that speak ASGI themselves (``mockserver.proxy``):
only ``mockserver.web`` imports Starlette (``.importlinter``)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ASGIApp", "Message", "Receive", "Scope", "Send"]
