"""What exports call things, as data: column names per canonical field and language, value
spellings beyond schema.BUILTIN_ALIASES, units, date formats and "no value" sentinels.

Names are compared simplified (see `simplify`): lower case, accents dropped, anything but
letters and digits a space. So "Fecha de creación", "fecha_creacion" and "FECHA-CREACION"
are one entry. Add a spelling to its row; no code changes.
"""

from __future__ import annotations

import re
import unicodedata


def _table(rows: dict[str, dict[str, str]]) -> dict[str, tuple[str, ...]]:
    """{field: {language: "a, b, c"}} -> {field: (simplified names...)}."""
    return {
        name: tuple(dict.fromkeys(simplify(s) for text in langs.values() for s in text.split(",")))
        for name, langs in rows.items()
    }


def simplify(name: str) -> str:
    """'Fecha de Creación (UTC)' -> 'fecha de creacion utc'."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


# Column names by canonical field (or a concept the values decide: `first_response` is a
# moment -> first_response_at, or a duration -> first_response_seconds/minutes).
# A one-word name must equal the column's name; longer ones may be part of it.
COLUMN_NAMES = _table(
    {
        "conversation_id": {
            "en": "ticket id, ticket, id, ticket number, ticket no, case id, case number, case, "
            "conversation id, conversation, chat id, call id, contact id, interaction id, "
            "session id, thread id, request id, incident id, incident number",
            "de": "ticket nr, ticketnummer, ticket nummer, vorgangsnummer, vorgang, fallnummer, "
            "fall id, anfrage id, anfragenummer, gesprachs id",
            "es": "id ticket, id del ticket, numero de ticket, numero ticket, id caso, "
            "numero de caso, id conversacion, id de conversacion, id llamada",
            "fr": "id du ticket, numero du ticket, numero de ticket, identifiant, "
            "numero de dossier, id conversation, id de la conversation",
        },
        "message_id": {
            "en": "message id, msg id, message uid, event id, comment id",
            "de": "nachrichten id, nachricht id",
            "es": "id mensaje, id del mensaje",
            "fr": "id message, id du message",
        },
        "timestamp": {
            "en": "timestamp, sent at, sent, message date, message time, time sent, "
            "event time, datetime, date time, posted at, occurred at, logged at",
            "de": "zeitstempel, gesendet am, zeitpunkt",
            "es": "marca de tiempo, fecha hora, fecha envio, enviado",
            "fr": "horodatage, envoye le, date d envoi, date heure",
        },
        "created_at": {
            "en": "created at, created date, created, created time, creation date, "
            "creation time, date created, opened, opened at, opened date, start time, "
            "started at, conversation started at, received at, submitted at, date opened, "
            "call start, start date, request date, date",
            "de": "erstellt am, erstellt, erstellungsdatum, erstelldatum, angelegt am, "
            "eingegangen am, eingangsdatum, eroffnet am, datum, startzeit",
            "es": "fecha creacion, fecha de creacion, creado, creado el, fecha de apertura, "
            "fecha alta, fecha inicio, fecha",
            "fr": "date de creation, cree le, date d ouverture, ouvert le, date de debut, date",
        },
        "first_response": {
            "en": "first response time, first response, first reply time, first reply, "
            "first responded at, first replied at, initial response time, time to first "
            "response, first response at, first reply at, conversation first replied at",
            "de": "erste antwort, erste antwort am, erste antwortzeit, erstreaktion, "
            "erste reaktion, erste reaktionszeit, reaktionszeit",
            "es": "primera respuesta, tiempo de primera respuesta, fecha primera respuesta, "
            "tiempo primera respuesta",
            "fr": "premiere reponse, delai de premiere reponse, temps de premiere reponse, "
            "date de premiere reponse",
        },
        "resolved_at": {
            "en": "resolved at, resolved, resolved time, resolved date, solved at, solved, "
            "closed at, closed, closed date, date closed, resolution date, resolution time, "
            "time to resolution, conversation last closed at, end time, completed at",
            "de": "gelost am, geschlossen am, abgeschlossen am, erledigt am, losungsdatum",
            "es": "fecha resolucion, fecha de resolucion, resuelto el, fecha cierre, "
            "fecha de cierre, cerrado el",
            "fr": "date de resolution, resolu le, ferme le, date de cloture, clos le",
        },
        "role": {
            "en": "role, sender type, author type, sender role, from, direction, sender, "
            "speaker, participant type, user type, actor type, inbound",
            "de": "absendertyp, absender, rolle, richtung",
            "es": "tipo de remitente, remitente, rol, direccion",
            "fr": "type d expediteur, expediteur, role, sens",
        },
        "event": {
            "en": "event, event type, message type, type of event, activity, action, "
            "part type, conversation part type",
            "de": "ereignis, ereignistyp, nachrichtentyp",
            "es": "evento, tipo de evento, tipo de mensaje",
            "fr": "evenement, type d evenement, type de message",
        },
        "agent": {
            "en": "agent, assignee, agent name, assigned to, owner, responder, teammate, "
            "teammate currently assigned, handled by, representative, rep, advisor, user, "
            "assignee name, agent email",
            "de": "bearbeiter, agent, mitarbeiter, zugewiesen an, sachbearbeiter, berater",
            "es": "agente, asignado a, responsable, asesor, operador, nombre del agente",
            "fr": "agent, conseiller, assigne a, responsable, operateur",
        },
        "channel": {
            "en": "channel, via, source, medium, contact channel, ticket channel, inbox, "
            "contact type, origin, communication channel",
            "de": "kanal, quelle, eingangskanal, kontaktkanal, medium",
            "es": "canal, origen, medio, canal de contacto",
            "fr": "canal, source, origine, canal de contact",
        },
        "team": {
            "en": "team, group, queue, department, team currently assigned, skill, "
            "assigned group, support group, skill group",
            "de": "team, gruppe, abteilung, warteschlange, queue",
            "es": "equipo, grupo, departamento, cola",
            "fr": "equipe, groupe, service, file d attente, departement",
        },
        "topic": {
            "en": "topic, type, ticket type, category, subject category, reason, "
            "contact reason, issue type, tag, tags, disposition",
            "de": "thema, kategorie, typ, anliegen, grund, ticket typ",
            "es": "tema, categoria, tipo, motivo, tipo de ticket",
            "fr": "sujet, categorie, type, motif, theme",
        },
        "priority": {
            "en": "priority, ticket priority, urgency, severity",
            "de": "prioritat, dringlichkeit",
            "es": "prioridad, urgencia",
            "fr": "priorite, urgence",
        },
        "status": {
            "en": "status, state, ticket status, current conversation state, conversation state",
            "de": "status, zustand, ticketstatus",
            "es": "estado, estatus, estado del ticket",
            "fr": "statut, etat, statut du ticket",
        },
        "csat": {
            "en": "csat, satisfaction, satisfaction score, satisfaction rating, "
            "customer satisfaction, customer satisfaction rating, csat score, rating, "
            "last teammate rating, conversation rating, survey rating",
            "de": "zufriedenheit, kundenzufriedenheit, bewertung, zufriedenheitswert",
            "es": "satisfaccion, satisfaccion del cliente, calificacion, valoracion, "
            "puntuacion csat",
            "fr": "satisfaction, satisfaction client, note, evaluation, note de satisfaction",
        },
        "nps": {
            "en": "nps, nps score, net promoter score, likelihood to recommend, recommend score",
            "de": "weiterempfehlung, weiterempfehlungsbereitschaft, nps wert",
            "es": "puntuacion nps, recomendacion",
            "fr": "score nps, recommandation",
        },
        "score": {
            "en": "score, value, survey score, survey value, answer, response value",
            "de": "wert, punktzahl",
            "es": "valor, puntuacion",
            "fr": "valeur",
        },
        "talk_seconds": {
            "en": "talk time, talk duration, handle time, handling time, call duration, "
            "duration, talk, conversation duration, chat duration",
            "de": "gesprachszeit, gesprachsdauer, bearbeitungszeit, dauer, anrufdauer",
            "es": "tiempo de conversacion, duracion, duracion de la llamada, tiempo de gestion",
            "fr": "temps de conversation, duree, duree de l appel, temps de traitement",
        },
        "hold_seconds": {
            "en": "hold time, hold duration, hold, time on hold",
            "de": "haltezeit, wartezeit in der leitung, haltedauer",
            "es": "tiempo en espera, tiempo de espera en linea",
            "fr": "temps de mise en attente, duree de mise en attente",
        },
        "after_work_seconds": {
            "en": "after call work, acw, wrap up time, wrap time, wrap up, after work, "
            "after call work time, wrap up duration",
            "de": "nachbearbeitungszeit, nachbearbeitung",
            "es": "tiempo de cierre, tiempo post llamada, trabajo posterior",
            "fr": "temps de post traitement, post appel",
        },
        "wait_seconds": {
            "en": "wait time, queue time, time in queue, speed of answer, wait duration, "
            "waiting time, time to answer",
            "de": "wartezeit, wartedauer, zeit in der warteschlange",
            "es": "tiempo de espera, tiempo en cola",
            "fr": "temps d attente, duree d attente",
        },
        "reopen_count": {
            "en": "reopens, reopen count, reopened count, times reopened, number of reopens",
            "de": "wiedereroffnungen, anzahl wiedereroffnungen",
            "es": "reaperturas, numero de reaperturas",
            "fr": "reouvertures, nombre de reouvertures",
        },
        "escalated": {
            "en": "escalated, is escalated, escalation",
            "de": "eskaliert, eskalation",
            "es": "escalado, escalada, escalamiento",
            "fr": "escalade, escalade e",
        },
        "answered": {
            "en": "answered, answered y n, is answered, call answered, abandoned, "
            "answered flag, answered yn",
            "de": "angenommen, beantwortet",
            "es": "atendida, atendido, contestada",
            "fr": "repondu, decroche",
        },
        "inbound_messages": {
            "en": "inbound messages, customer messages, messages from customer, "
            "customer replies, requester replies",
            "de": "eingehende nachrichten, kundennachrichten",
            "es": "mensajes entrantes, mensajes del cliente",
            "fr": "messages entrants, messages du client",
        },
        "outbound_messages": {
            "en": "outbound messages, agent messages, agent replies, replies, public replies",
            "de": "ausgehende nachrichten, antworten",
            "es": "mensajes salientes, respuestas del agente",
            "fr": "messages sortants, reponses de l agent",
        },
    }
)

# Concepts whose field depends on the values: a moment, or a duration in some unit.
MOMENT_OR_DURATION = {
    "first_response": ("first_response_at", "first_response_seconds"),
    "resolved_at": ("resolved_at", None),  # a resolution duration has no canonical field
}
# Duration fields in seconds, and the names of a column's unit.
DURATION_FIELDS = ("first_response_seconds", "talk_seconds", "hold_seconds")
DURATION_FIELDS += ("after_work_seconds", "wait_seconds", "bot_first_response_seconds")
UNIT_WORDS = {
    "ms": ("ms", "millis", "milliseconds", "millisekunden", "milisegundos", "millisecondes"),
    "seconds": ("s", "sec", "secs", "seconds", "second", "sek", "sekunden", "segundos", "secondes"),
    "minutes": ("m", "min", "mins", "minutes", "minute", "minuten", "minutos", "minuti"),
    "hours": ("h", "hr", "hrs", "hours", "hour", "std", "stunden", "horas", "heures"),
}
# A date in one column and the time of day in another (Date + Time).
TIME_OF_DAY_NAMES = ("time", "uhrzeit", "zeit", "hora", "heure", "time of day", "start time")


# Value spellings beyond schema.BUILTIN_ALIASES, by field and canonical value (compared
# lower-cased and trimmed, as normalize compares them: accented and plain both listed).
def _spellings(rows: dict[str, dict[str, str]]) -> dict[str, dict[str, tuple[str, ...]]]:
    return {
        name: {value: tuple(s.strip() for s in text.split(",")) for value, text in row.items()}
        for name, row in rows.items()
    }


VALUE_SPELLINGS = _spellings(
    {
        "role": {
            "customer": "kunde, kundin, cliente, usuario, utilisateur, visitor, lead, end user, "
            "inbound, incoming, eingehend, entrante, entrant",
            "agent": "teammate, mitarbeiter, bearbeiter, agente, conseiller, outbound, outgoing, "
            "ausgehend, saliente, sortant, admin user",
            "bot": "assistant, fin, bot user, auto, automatisch, automatico",
        },
        "status": {
            "resolved": "geschlossen, gelost, gelöst, erledigt, abgeschlossen, cerrado, cerrada, "
            "resuelto, resuelta, ferme, fermé, resolu, résolu, clos, archived",
            "open": "offen, neu, wartend, in bearbeitung, abierto, abierta, nuevo, pendiente, "
            "en espera, en curso, ouvert, nouveau, en attente, en cours, waiting on customer, "
            "waiting on third party, assigned, unassigned, active, reopened",
        },
        "channel": {
            "phone": "telefon, anruf, telefono, teléfono, llamada, telephone, téléphone, appel, "
            "inbound call, outbound call",
            "email": "correo, correo electronico, correo electrónico, courriel, e mail",
            "web": "web form, webform, portal, formular, formulario, formulaire, contact form, "
            "kontaktformular",
            "social": "social media, soziale medien, redes sociales, reseaux sociaux",
        },
        "flag": {  # escalated and answered
            "true": "ja, si, sí, oui, x, answered, angenommen, atendida",
            "false": "nein, non, abandoned, missed, verpasst, abandonada, abandonne",
        },
    }
)
FLAG_FIELDS = ("escalated", "answered")

# Cells that mean "no value" in exports (matched simplified, after trimming).
SENTINELS = ("-", "--", "n/a", "na", "none", "null", "nil", "not provided", "not available",
             "unknown", "keine angabe", "k.a.", "k. a.", "sin datos", "no disponible",
             "non renseigne", "non renseigné", "nd", "#n/a")  # fmt: skip

# Date spellings read with timestamp_format, tried in order: day-first before month-first
# (most exports that are not ISO are European), the ISO forms are read natively.
DATE_FORMATS = (
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d.%m.%y %H:%M", "%d.%m.%y",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y", "%d/%m/%y %H:%M", "%m/%d/%y %H:%M",
    "%d/%m/%y", "%m/%d/%y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y",
    "%d-%b-%y", "%d-%b-%Y", "%d-%b-%y %H:%M", "%d-%b-%Y %H:%M", "%d %b %Y %H:%M", "%d %b %Y",
    "%b %d, %Y %H:%M", "%b %d, %Y %I:%M %p", "%b %d, %Y", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y/%m/%d", "%a %b %d %H:%M:%S %z %Y", "%d %B %Y %H:%M", "%B %d, %Y %H:%M", "%B %d, %Y",
)  # fmt: skip

# Column names of summaries (one row per day, agent or queue with counts and averages).
AGGREGATE_PATTERNS = (
    r"\b(calls|contacts|chats|tickets|conversations|interactions|emails|anrufe|llamadas|appels)"
    r" (offered|answered|abandoned|handled|received|solved|resolved|created|closed|missed)\b",
    r"\b(offered|answered|abandoned|handled|received|solved|resolved|created|closed)"
    r" (calls|contacts|chats|tickets|conversations)\b",
    r"^(avg|average|mean|median|total|sum|count|number of|no of|anzahl|durchschnitt|"
    r"promedio|media|moyenne|nombre de|numero de|total de)\b",
    r"\b(service level|sla percent|abandon rate|abandonment rate|answer rate|"
    r"occupancy|utilization|utilisation|aht|asa)\b",
    r"\b(percent|pct|rate|ratio)$",
)
