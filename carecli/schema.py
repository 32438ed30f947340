"""The canonical data model: field names, allowed values and the spellings carecli knows."""

from __future__ import annotations

# Fields of message-level event rows (one row per message or status/survey event).
MESSAGE_FIELDS = (
    "conversation_id",
    "message_id",  # optional: tells apart identical-looking events (deduplication)
    "timestamp",
    "role",
    "event",
    "agent",
    "channel",
    "team",
    "topic",
    "priority",
    "csat",
    "nps",
    "score",  # one column for several surveys: the CSAT on csat events, the NPS on nps events
    "talk_seconds",
    "hold_seconds",
    "after_work_seconds",
)

# Fields of conversation-level rows (one row per ticket, as most helpdesk exports are).
CONVERSATION_FIELDS = (
    "conversation_id",
    "created_at",
    "first_response_at",
    "first_response_seconds",
    "first_response_minutes",
    "bot_first_response_at",
    "bot_first_response_seconds",
    "resolved_at",
    "status",
    "agent",
    "channel",
    "team",
    "topic",
    "priority",
    "csat",
    "nps",
    "talk_seconds",
    "hold_seconds",
    "after_work_seconds",
    "reopen_count",
    "escalated",
    "inbound_messages",
    "outbound_messages",
    # Contact-centre exports: whether an agent answered (no: the customer abandoned) and
    # how long the customer waited in the queue, until the answer or until they left.
    "answered",
    "wait_seconds",
)

FIELDS = frozenset(MESSAGE_FIELDS) | frozenset(CONVERSATION_FIELDS)

# Dimensions a report can be broken down by (`--by`).
DIMENSIONS = ("channel", "agent", "team", "topic", "priority")

ROLES = ("customer", "agent", "bot")
EVENTS = ("message", "note", "resolved", "reopened", "escalated", "transferred", "csat", "nps")
STATUSES = ("resolved", "open")
CHANNELS = (
    "whatsapp",
    "messenger",
    "twitter",
    "instagram",
    "wechat",
    "email",
    "chat",
    "phone",
    "sms",
    "web",
    "social",
    "other",
)

# Fields whose values carecli canonicalises; an empty tuple means free text (lower-cased).
CANONICAL_VALUES: dict[str, tuple[str, ...]] = {
    "role": ROLES,
    "event": EVENTS,
    "status": STATUSES,
    "channel": CHANNELS,
    "escalated": ("true", "false"),
    "answered": ("true", "false"),
    "priority": (),
    # Ratings exported as words (Zendesk's Good/Bad): spelling -> number, or "none" for
    # a survey offered but not answered.
    "csat": (),
    "nps": (),
}

# Spellings seen in real exports, matched case-insensitively after trimming.
BUILTIN_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "role": {
        "customer": ("customer", "user", "contact", "client", "end-user", "end_user", "requester"),
        "agent": ("agent", "human", "staff", "operator", "admin", "support", "brand"),
        "bot": ("bot", "automation", "chatbot", "ai", "virtual agent", "virtual_agent"),
    },
    "event": {
        "message": ("message", "msg", "reply", "comment", ""),
        "note": ("note", "internal note", "internal_note", "private note"),
        "resolved": ("resolved", "resolve", "solved", "closed", "close"),
        "reopened": ("reopened", "reopen", "re-opened"),
        "escalated": ("escalated", "escalation", "escalate"),
        "transferred": ("transferred", "transfer", "reassigned", "handover", "handoff"),
        "csat": ("csat", "rating", "satisfaction"),
        "nps": ("nps",),
    },
    "status": {
        "resolved": ("resolved", "solved", "closed", "done", "completed", "complete"),
        "open": (
            "open",
            "new",
            "pending",
            "on-hold",
            "on_hold",
            "on hold",
            "hold",
            "waiting",
            "snoozed",
            "in progress",
            "in_progress",
            "escalated",
        ),
    },
    "channel": {
        "twitter": ("twitter", "x", "x/twitter", "tweet"),
        "messenger": ("messenger", "facebook", "facebook messenger", "fb", "fb messenger"),
        "instagram": ("instagram", "ig", "instagram dm"),
        "email": ("email", "e-mail", "mail"),
        "chat": ("chat", "live chat", "livechat", "web chat", "webchat"),
        "phone": ("phone", "voice", "call", "telephone"),
        "whatsapp": ("whatsapp", "whats app", "wa"),
        "wechat": ("wechat", "weixin"),
        "sms": ("sms", "text"),
    },
    "escalated": {
        "true": ("true", "yes", "y", "1", "t"),
        "false": ("false", "no", "n", "0", "f", ""),
    },
    "answered": {
        "true": ("true", "yes", "y", "1", "t", "answered"),
        "false": ("false", "no", "n", "0", "f", "abandoned", "missed", "unanswered"),
    },
}

# How each field is typed when read: numbers, a closed set of values (unknown ones are
# errors), free text, free text compared lowercased.
NUMBER_FIELDS = (
    "first_response_minutes",
    "csat",
    "nps",
    "talk_seconds",
    "hold_seconds",
    "after_work_seconds",
    "first_response_seconds",
    "bot_first_response_seconds",
    "reopen_count",
    "inbound_messages",
    "outbound_messages",
    "score",
    "wait_seconds",
)
# Number fields that are durations: also read as H:MM:SS or MM:SS, and scaled by `units:`.
DURATION_UNITS = {
    "talk_seconds": "seconds",
    "hold_seconds": "seconds",
    "after_work_seconds": "seconds",
    "first_response_seconds": "seconds",
    "bot_first_response_seconds": "seconds",
    "wait_seconds": "seconds",
    "first_response_minutes": "minutes",
}
ENUM_FIELDS = ("role", "event", "status", "channel", "escalated", "answered")
TEXT_FIELDS = ("agent", "team", "topic")
LOWER_TEXT_FIELDS = ("priority",)
