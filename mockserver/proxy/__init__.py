"""``mockserver proxy``: validate live traffic between a client and a deployment against our specs."""

from mockserver.proxy.app import ProxyApp

__all__ = ["ProxyApp"]
