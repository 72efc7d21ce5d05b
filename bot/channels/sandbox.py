"""The sandbox provider: no carrier at all; messages stay in the database for the simulator."""

from __future__ import annotations

import uuid

from bot.channels.base import Outgoing, SendResult


class SandboxProvider:
    """Accepts every message at once and reports it delivered to the simulated phone."""

    name = "sandbox"

    def send(self, message: Outgoing) -> SendResult:
        """Pretend to deliver: the simulator shows the stored message on the family's phone."""
        return SendResult(provider_sid="SB" + uuid.uuid4().hex, status="delivered")
