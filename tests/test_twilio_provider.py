"""TwilioProvider against a local fake of Twilio's API, and the Twilio webhook helpers."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bot.channels.base import Inbound, Media, Outgoing, SendError, StatusUpdate
from bot.channels.twilio import (
    TwilioProvider,
    parse_inbound,
    parse_status,
    public_url,
    verify_signature,
)
from bot.sending.errors import ErrorAction, classify, moves_forward
from tests.fake_twilio import FakeTwilio, send_status_callback

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
FAMILY = "+15005550006"
SCHOOL = "+15005550001"


@pytest.fixture
def twilio_server() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as server:
        yield server


@pytest.fixture
def provider(twilio_server: FakeTwilio) -> TwilioProvider:
    return TwilioProvider(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN,
                          api_base_url=twilio_server.base_url + "/", timeout=0.5)


def sms(**overrides: object) -> Outgoing:
    fields: dict = {"message_id": 7, "channel": "sms", "to_address": FAMILY,
                    "body": "School closes at noon today.", "from_address": SCHOOL}
    return Outgoing(**(fields | overrides))


def send_error(provider: TwilioProvider, message: Outgoing) -> SendError:
    with pytest.raises(SendError) as caught:
        provider.send(message)
    return caught.value


# Sending


def test_send_posts_the_form_to_the_account_messages_path_with_basic_auth(
        provider: TwilioProvider, twilio_server: FakeTwilio) -> None:
    result = provider.send(sms(status_callback="https://puente.example.org/twilio/status?m=7"))

    [request] = twilio_server.requests
    assert (request.method, request.path) == ("POST", MESSAGES_PATH)
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.form.to_dict(flat=False) == {
        "To": [FAMILY], "From": [SCHOOL], "Body": ["School closes at noon today."],
        "StatusCallback": ["https://puente.example.org/twilio/status?m=7"]}
    assert result.provider_sid.startswith("SM") and len(result.provider_sid) == 34
    assert result.status == "queued"


def test_send_uses_the_messaging_service_when_there_is_no_from_address(
        provider: TwilioProvider, twilio_server: FakeTwilio) -> None:
    result = provider.send(sms(from_address=None, messaging_service_sid="MG" + "a" * 32))

    form = twilio_server.requests[0].form
    assert form["MessagingServiceSid"] == "MG" + "a" * 32
    assert "From" not in form and "StatusCallback" not in form
    assert result.status == "accepted"


def test_whatsapp_addresses_are_prefixed_once(
        provider: TwilioProvider, twilio_server: FakeTwilio) -> None:
    provider.send(sms(channel="whatsapp"))
    provider.send(sms(channel="whatsapp", from_address="whatsapp:" + SCHOOL))

    for request in twilio_server.requests:
        assert request.form["To"] == "whatsapp:" + FAMILY
        assert request.form["From"] == "whatsapp:" + SCHOOL


def test_media_urls_are_sent_as_repeated_media_url_fields(
        provider: TwilioProvider, twilio_server: FakeTwilio) -> None:
    urls = ("https://puente.example.org/m/flyer.jpg", "https://puente.example.org/m/map.png")
    provider.send(sms(media_urls=urls))

    assert twilio_server.requests[0].form.getlist("MediaUrl") == list(urls)


def test_invalid_number_is_a_final_error_with_twilio_code(
        provider: TwilioProvider, twilio_server: FakeTwilio) -> None:
    twilio_server.fail_next(status=400, code=21211, message="The 'To' number is not valid.")

    error = send_error(provider, sms())

    assert (error.code, error.http_status, error.retryable) == (21211, 400, False)
    assert "not valid" in str(error)


@pytest.mark.parametrize(("status", "code", "retryable"), [
    (429, 20429, True),
    (500, None, True),
    (503, 20503, True),
    (400, 21611, True),  # sender queue full: slow down, it will be taken later
    (400, 21610, False),  # opted out
    (400, 21614, False),
    (403, 20003, False),
])
def test_send_error_is_retryable_only_for_transient_failures(
        provider: TwilioProvider, twilio_server: FakeTwilio,
        status: int, code: int | None, retryable: bool) -> None:
    twilio_server.fail_next(status=status, code=code)

    error = send_error(provider, sms())

    assert (error.http_status, error.code, error.retryable) == (status, code, retryable)


def test_scripted_failures_apply_in_order_then_sending_succeeds(
        provider: TwilioProvider, twilio_server: FakeTwilio) -> None:
    twilio_server.fail_next(status=429, code=20429)
    twilio_server.fail_next(status=500)

    assert send_error(provider, sms()).code == 20429
    assert send_error(provider, sms()).http_status == 500
    assert provider.send(sms()).status == "queued"


def test_timeout_is_a_retryable_error_without_code(
        provider: TwilioProvider, twilio_server: FakeTwilio) -> None:
    twilio_server.delay_next(5)
    started = time.monotonic()

    error = send_error(provider, sms())

    assert time.monotonic() - started < 2
    assert (error.code, error.http_status, error.retryable) == (None, None, True)


def test_unreachable_api_is_a_retryable_error() -> None:
    closed = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)
    closed.stop()  # frees the port: connections are refused
    provider = TwilioProvider(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN,
                              api_base_url=closed.base_url, timeout=0.5)

    assert send_error(provider, sms()).retryable


def test_wrong_credentials_are_not_retryable(twilio_server: FakeTwilio) -> None:
    provider = TwilioProvider(account_sid=ACCOUNT_SID, auth_token="wrong",
                              api_base_url=twilio_server.base_url, timeout=0.5)

    error = send_error(provider, sms())

    assert (error.http_status, error.code, error.retryable) == (401, 20003, False)


def test_region_and_edge_environment_variables_do_not_redirect_requests(
        twilio_server: FakeTwilio, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_REGION", "au1")
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    provider = TwilioProvider(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN,
                              api_base_url=twilio_server.base_url, timeout=0.5)

    assert provider.send(sms()).status == "queued"


def test_send_logs_neither_body_nor_phone_numbers_at_info(
        provider: TwilioProvider, twilio_server: FakeTwilio,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    provider.send(sms())
    twilio_server.fail_next(status=400, code=21211, message=f"The 'To' number {FAMILY} is bad")
    send_error(provider, sms())

    assert caplog.records
    for text in (FAMILY, SCHOOL, "noon"):
        assert text not in caplog.text


def test_provider_requires_credentials() -> None:
    with pytest.raises(ValueError, match="auth_token"):
        TwilioProvider(account_sid=ACCOUNT_SID, auth_token="")


# Webhooks


def test_parse_inbound_reads_an_sms() -> None:
    form = MultiDict({"MessageSid": "SM" + "1" * 32, "From": FAMILY, "To": SCHOOL,
                      "Body": "¿Hay clases mañana?", "NumMedia": "0", "SmsStatus": "received"})

    assert parse_inbound(form) == Inbound(provider_sid="SM" + "1" * 32, channel="sms",
                                          from_address=FAMILY, to_address=SCHOOL,
                                          body="¿Hay clases mañana?")


def test_parse_inbound_reads_a_whatsapp_message_without_prefixes() -> None:
    form = {"MessageSid": "SM" + "2" * 32, "From": "whatsapp:" + FAMILY,
            "To": "whatsapp:+14155238886", "Body": "Merci", "NumMedia": "0",
            "ProfileName": "Awa", "WaId": FAMILY[1:]}

    inbound = parse_inbound(form)

    assert (inbound.channel, inbound.from_address, inbound.to_address) == (
        "whatsapp", FAMILY, "+14155238886")
    assert inbound.profile_name == "Awa"


def test_parse_inbound_reads_every_media_item() -> None:
    form = {"MessageSid": "MM" + "3" * 32, "From": FAMILY, "To": SCHOOL, "Body": "",
            "NumMedia": "2",
            "MediaUrl0": "https://api.twilio.com/media/ME0", "MediaContentType0": "image/jpeg",
            "MediaUrl1": "https://api.twilio.com/media/ME1",
            "MediaContentType1": "application/pdf"}

    assert parse_inbound(form).media == (
        Media("https://api.twilio.com/media/ME0", "image/jpeg"),
        Media("https://api.twilio.com/media/ME1", "application/pdf"))


@pytest.mark.parametrize("missing", ["MessageSid", "From"])
def test_parse_inbound_rejects_a_form_without_sid_or_sender(missing: str) -> None:
    form = {"MessageSid": "SM" + "4" * 32, "From": FAMILY, "To": SCHOOL, "Body": "hi"}
    del form[missing]

    with pytest.raises(ValueError, match=missing):
        parse_inbound(form)


def test_parse_status_reads_status_error_code_and_our_message_id() -> None:
    form = MultiDict({"MessageSid": "SM" + "5" * 32, "MessageStatus": "undelivered",
                      "ErrorCode": "30003", "SmsStatus": "undelivered"})

    assert parse_status(form, 12) == StatusUpdate(provider_sid="SM" + "5" * 32,
                                                  status="undelivered", error_code=30003,
                                                  message_id=12)


def test_parse_status_without_error_code_has_none() -> None:
    update = parse_status({"MessageSid": "SM" + "6" * 32, "MessageStatus": "delivered"}, None)

    assert (update.status, update.error_code, update.message_id) == ("delivered", None, None)


SIGNED_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
SIGNED_FORM = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675309", "Digits": "1234",
               "From": "+14158675309", "To": "+18005551212"}


@pytest.mark.parametrize(("url", "form", "signature", "valid"), [
    (SIGNED_URL, SIGNED_FORM, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", True),
    (SIGNED_URL, MultiDict(SIGNED_FORM), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", True),
    (SIGNED_URL.replace(".com/", ".com:443/"), SIGNED_FORM, "kvajT1Ptam85bY51eRf/AJRuM3w=",
     True),
    (SIGNED_URL, MultiDict([("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"),
                            ("Digits", "1234"), ("Digits", "1234")]),
     "IK+Dwps556ElfBT0I3Rgjkr1wJU=", True),
    (SIGNED_URL, SIGNED_FORM | {"Digits": "9999"}, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", False),
    (SIGNED_URL, SIGNED_FORM, "RSOYDt4T1cUTdK1PDd93/VVr8B9=", False),
    (SIGNED_URL, SIGNED_FORM, "", False),
    (SIGNED_URL, SIGNED_FORM, None, False),
])
def test_verify_signature_matches_twilio_test_vectors(
        url: str, form: dict, signature: str | None, valid: bool) -> None:
    assert verify_signature("12345", url, form, signature) is valid


def test_verify_signature_rejects_everything_without_an_auth_token() -> None:
    assert not verify_signature("", SIGNED_URL, SIGNED_FORM, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


@pytest.mark.parametrize(("base", "path", "query", "url"), [
    ("https://puente.example.org/", "/twilio/messages", "m=12",
     "https://puente.example.org/twilio/messages?m=12"),
    ("https://puente.example.org", "/twilio/messages", "",
     "https://puente.example.org/twilio/messages"),
    ("https://x.org/puente", "/twilio/status", b"m=3&c=sms",
     "https://x.org/puente/twilio/status?m=3&c=sms"),
    ("https://x.org/puente/", "/twilio/status", b"", "https://x.org/puente/twilio/status"),
])
def test_public_url_rebuilds_the_url_twilio_called(
        base: str, path: str, query: str | bytes, url: str) -> None:
    assert public_url(base, path, query) == url


@pytest.fixture
def webhook_server() -> Iterator[tuple[str, list[bool]]]:
    """Serve an app that verifies each POST against its own rebuilt public URL."""
    verified: list[bool] = []

    @Request.application
    def app(request: Request) -> Response:
        url = public_url(base, request.path, request.query_string)
        verified.append(verify_signature(AUTH_TOKEN, url, request.form,
                                         request.headers.get("X-Twilio-Signature")))
        return Response(status=204)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                     daemon=True).start()
    yield base, verified
    server.shutdown()
    server.server_close()


def test_signed_status_callback_verifies_against_the_rebuilt_public_url(
        webhook_server: tuple[str, list[bool]]) -> None:
    base, verified = webhook_server
    form = {"MessageSid": "SM" + "7" * 32, "MessageStatus": "delivered"}

    assert send_status_callback(f"{base}/twilio/status?m=5", AUTH_TOKEN, form)[0] == 204
    send_status_callback(f"{base}/twilio/status?m=5", "another-token", form)

    assert verified == [True, False]


# Error table and status order


@pytest.mark.parametrize(("code", "http_status", "action"), [
    (20429, 429, ErrorAction.THROTTLE),
    (21611, 400, ErrorAction.THROTTLE),
    (30001, None, ErrorAction.THROTTLE),
    (30022, None, ErrorAction.THROTTLE),
    (30023, None, ErrorAction.THROTTLE),
    (30027, None, ErrorAction.THROTTLE),
    (63018, None, ErrorAction.THROTTLE),
    (21610, 400, ErrorAction.OPTED_OUT),
    (21211, 400, ErrorAction.INVALID_NUMBER),
    (21614, 400, ErrorAction.INVALID_NUMBER),
    (30006, None, ErrorAction.INVALID_NUMBER),
    (30003, None, ErrorAction.UNREACHABLE),
    (30005, None, ErrorAction.INVALID_NUMBER),
    (21612, 400, ErrorAction.UNREACHABLE),
    (63003, None, ErrorAction.NOT_ON_WHATSAPP),
    (63024, None, ErrorAction.NOT_ON_WHATSAPP),
    (63016, None, ErrorAction.OUTSIDE_WHATSAPP_WINDOW),
    (30004, None, ErrorAction.BLOCKED),
    (63014, None, ErrorAction.BLOCKED),
    (30008, None, ErrorAction.RETRY),
    (None, 429, ErrorAction.THROTTLE),
    (None, 500, ErrorAction.RETRY),
    (20500, 500, ErrorAction.RETRY),
    (None, 503, ErrorAction.RETRY),
    (None, None, ErrorAction.RETRY),  # timeout or connection error
    (30007, None, ErrorAction.FAILED),
    (21617, 400, ErrorAction.FAILED),
    (20003, 401, ErrorAction.FAILED),
    (None, 400, ErrorAction.FAILED),
])
def test_classify_maps_error_codes_to_actions(
        code: int | None, http_status: int | None, action: ErrorAction) -> None:
    assert classify(code, http_status) is action


@pytest.mark.parametrize(("current", "new", "moves"), [
    (None, "pending", True),
    (None, "delivered", True),
    ("pending", "queued", True),
    ("accepted", "queued", True),
    ("queued", "sent", True),
    ("sent", "delivered", True),
    ("delivered", "read", True),
    ("delivered", "sent", False),  # late callback: stays delivered
    ("read", "delivered", False),
    ("sent", "sent", False),
    ("queued", "accepted", False),
    ("sending", "pending", False),
    ("sent", "failed", True),
    ("queued", "undelivered", True),
    ("scheduled", "canceled", True),
    ("delivered", "failed", False),  # a late failure never undoes a delivery
    ("read", "undelivered", False),
    ("delivered", "canceled", False),
    ("failed", "delivered", False),  # nothing moves after a final status
    ("undelivered", "failed", False),
    ("canceled", "queued", False),
    ("sent", "partially_delivered", False),  # unknown statuses never move
    ("sent", "receiving", False),
    ("mystery", "sent", True),
])
def test_moves_forward_follows_the_status_order(
        current: str | None, new: str, moves: bool) -> None:
    assert moves_forward(current, new) is moves
