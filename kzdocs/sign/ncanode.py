"""A client of NCANode v3, the HTTP signing server around the national PKI's KalkanCrypt.

Endpoints used: POST /xml/sign, /wsse/sign, /pdf/sign, /xml/verify, /wsse/verify (JSON; the key
travels as base64 PKCS#12 with its password; a PDF as base64, signed by the server as an
incremental update with an ETSI CAdES-detached signature). Errors come back as `SigningError`
carrying the server's own message.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

from kzdocs.errors import SigningError
from kzdocs.sign import Signature
from kzdocs.sign.base import CertificateInfo, VerifyResult, aware, read_file, seconds

DEFAULT_URL = "http://127.0.0.1:14579"
PDF_REASON = "Көліктік қолтаңба / Транспортная подпись"


class NCANodeSigner:
    """Signs the record's XML through an NCANode server with a PKCS#12 key (GOST or RSA)."""

    name = "ncanode"
    can_sign_pdf = True

    def __init__(
        self,
        key: str | os.PathLike[str] | bytes,
        password: str,
        *,
        url: str = DEFAULT_URL,
        key_alias: str | None = None,
        timeout: float | str = 30.0,
        wsse: bool = False,
    ):
        if not url.startswith(("http://", "https://")):
            raise SigningError(f"NCANode url must start with http:// or https://, got {url!r}")
        self.key = key if isinstance(key, bytes) else read_file(key, "key file")
        self.password = password
        self.url = url.rstrip("/")
        self.key_alias = key_alias
        self.timeout = seconds(timeout)
        self.wsse = wsse

    def _signer(self) -> dict[str, Any]:
        signer: dict[str, Any] = {
            "key": base64.b64encode(self.key).decode("ascii"),
            "password": self.password,
        }
        if self.key_alias:
            signer["keyAlias"] = self.key_alias
        return signer

    def sign_xml(self, xml: bytes, *, signed_at: datetime | None = None) -> tuple[bytes, Signature]:
        from kzdocs.sign.signers import signature_from_xml

        text = xml.decode("utf-8")
        if self.wsse:
            answer = self.call("/wsse/sign", {"xml": text, **self._signer(), "trimXml": False})
        else:
            body = {
                "xml": text,
                "signers": [self._signer()],
                "clearSignatures": False,
                "trimXml": False,
            }
            answer = self.call("/xml/sign", body)
        signed = answer.get("xml")
        if not isinstance(signed, str) or not signed:
            raise SigningError(f"NCANode at {self.url} answered without signed XML")
        data = signed.encode("utf-8")
        # NCANode signs at its own clock; the moment asked for is what kzdocs records.
        return data, signature_from_xml(data, aware(signed_at), source=f"NCANode at {self.url}")

    def sign_pdf(self, pdf: bytes, *, signed_at: datetime | None = None) -> bytes:
        """The PDF signed by the server (`signed_at` is the server's clock, not ours)."""
        body = {
            "pdf": base64.b64encode(pdf).decode("ascii"),
            "signers": [{"reason": PDF_REASON, "signer": self._signer()}],
            "withTsp": False,
        }
        answer = self.call("/pdf/sign", body)
        try:
            signed = base64.b64decode(answer.get("pdf") or "", validate=True)
        except (TypeError, ValueError) as exc:
            raise SigningError(f"NCANode at {self.url} answered /pdf/sign with bad base64") from exc
        if not signed.startswith(b"%PDF") or not signed.startswith(pdf[:1024]):
            raise SigningError(f"NCANode at {self.url} did not answer with the signed PDF")
        return signed

    def verify_xml(self, xml: bytes) -> VerifyResult:
        """Ask the server to verify (GOST signatures cannot be verified locally)."""
        from kzdocs.sign.signers import certificate_from_xml

        path = "/wsse/verify" if self.wsse else "/xml/verify"
        answer = self.call(path, {"xml": xml.decode("utf-8"), "revocationCheck": []})
        valid = answer.get("valid") is True
        reason = (
            "NCANode: signature is valid"
            if valid
            else f"NCANode: {answer.get('message', 'invalid')}"
        )
        try:
            info, signed_at = certificate_from_xml(xml, source="document")
        except SigningError:
            return VerifyResult(valid, reason, "ncanode")
        return VerifyResult(valid, reason, "ncanode", info, signed_at)

    def describe(self) -> CertificateInfo:
        from kzdocs.sign.certs import load_key_data

        try:
            return load_key_data(self.key, self.password, source="NCANode key").info
        except SigningError as exc:
            raise SigningError(
                f"cannot describe the key locally ({exc}); "
                "a GOST key's certificate is read from the XML it signs"
            ) from exc

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` as JSON to `path`; the decoded JSON answer, or `SigningError`."""
        return _answer(path, self._post(path, body))

    def _post(self, path: str, body: dict[str, Any]) -> bytes:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode("utf-8"),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            message = _message(exc.read()) or exc.reason
            raise SigningError(f"NCANode {path} answered {exc.code}: {message}") from exc
        except (TimeoutError, urllib.error.URLError) as exc:
            raise self._unreachable(exc) from exc

    def _unreachable(self, exc: OSError) -> SigningError:
        reason = getattr(exc, "reason", exc)  # a timeout may come bare or wrapped in URLError
        if isinstance(reason, TimeoutError):
            return SigningError(f"NCANode at {self.url} did not answer within {self.timeout:g} s")
        return SigningError(f"cannot reach NCANode at {self.url}: {reason}")


def _answer(path: str, raw: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(raw)
    except ValueError as exc:
        raise SigningError(f"NCANode {path} answered with something that is not JSON") from exc
    if not isinstance(answer, dict):
        raise SigningError(f"NCANode {path} answered with JSON that is not an object")
    status = answer.get("status", 200)
    if status != 200:
        raise SigningError(f"NCANode {path} answered {status}: {answer.get('message', '')}")
    return answer


def _message(raw: bytes) -> str:
    try:
        answer = json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace").strip()[:500]
    if isinstance(answer, dict):
        parts = [str(answer[k]) for k in ("message", "details") if answer.get(k)]
        return ": ".join(parts)
    return str(answer)[:500]
