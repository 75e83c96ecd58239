"""A local stand-in of the Gemini REST API (v1 and v1beta paths), for tests and offline development.

No machine here can reach Google, so the Gemini path is proven against this server with
the real client libraries pointed at it through their documented `base_url` option. It
answers in the documented response formats:

- `POST /v1beta/models/{model}:generateContent` (and `:streamGenerateContent?alt=sse`):
  text; JSON matching `generationConfig.responseJsonSchema` (or the older
  `responseSchema`) when `responseMimeType` is `application/json`; a PNG as `inlineData`
  when `responseModalities` asks for `IMAGE`.
- `:embedContent` and `:batchEmbedContents`: deterministic hashed bag-of-words vectors, so
  texts sharing words get similar vectors and retrieval behaves sensibly.
- `:countTokens` and `GET /v1beta/models/{model}`.

Answers are extractive, not generated: a text field is filled with a sentence copied from
the request (from its `<context>` section when it has one), enums take their first value,
bounded integers their maximum, numbers their minimum, booleans false, and only required
properties are filled. Token counts are estimated as one token per four characters (1290
per image, Google's documented figure for image output). `thinking_tokens` makes it
"think" like Gemini 2.5 and later: the thoughts are reported as `thoughtsTokenCount` and
count against `maxOutputTokens`, so a small budget yields a cut-off or empty answer with
finish reason MAX_TOKENS (capped by `thinkingConfig.thinkingBudget` when the request sets it).

Every request is recorded (`stand_in.requests`) with its headers, body and arrival time.
`stand_in.add_fault(Fault(...))` makes matching requests fail the way Gemini does: 429
RESOURCE_EXHAUSTED with a RetryInfo delay, 500 INTERNAL, 503 UNAVAILABLE, a cut-off JSON
answer, a body that is not JSON, a SAFETY finish reason, a blocked prompt, or a slow answer.

By hand (see docs/gemini.md): `python tests/gemini_standin.py --port 8765 --key test`.
"""

import argparse
import base64
import contextlib
import hashlib
import io
import json
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from fake_chat import continuation
from PIL import Image, ImageDraw

FaultKind = Literal[
    "rate_limit",  # 429 RESOURCE_EXHAUSTED with google.rpc.RetryInfo
    "server_error",  # 500 INTERNAL
    "unavailable",  # 503 UNAVAILABLE (model overloaded)
    "malformed_json",  # 200, but the model's JSON answer is cut off
    "broken_body",  # 200 with a body that is not JSON at all
    "safety",  # 200, candidate finishReason SAFETY, no content
    "prompt_blocked",  # 200, promptFeedback.blockReason SAFETY, no candidates
    "slow",  # answers normally after `delay_s`
]

IMAGE_OUTPUT_TOKENS = 1290
_PATH = re.compile(r"^/(?P<version>v1(?:alpha|beta)?)/models/(?P<model>[^:/]+)(?::(?P<op>\w+))?$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_MARKER = re.compile(r"^\s*(?:\[\d+\]|\d+[.)]|[-*])\s*")
# The innermost <context>...</context>: a system message may name the tag before the data.
_CONTEXT = re.compile(r"<context>((?:(?!<context>).)*?)</context>", re.DOTALL | re.IGNORECASE)


@dataclass
class RecordedRequest:
    """One request as it arrived: what a test asserts about what the client sent."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    raw: bytes
    body: Any  # parsed JSON, or None
    model: str
    operation: str  # generateContent, embedContent, ... or "get"
    arrived: float  # time.monotonic()
    status: int = 0
    fault: str | None = None
    usage: dict[str, int] | None = None  # the usageMetadata answered, for generateContent

    @property
    def generation_config(self) -> dict[str, Any]:
        body = self.body if isinstance(self.body, dict) else {}
        return body.get("generationConfig") or {}

    @property
    def response_schema(self) -> dict[str, Any] | None:
        config = self.generation_config
        return config.get("responseJsonSchema") or config.get("responseSchema")

    @property
    def schema_title(self) -> str | None:
        schema = self.response_schema
        return schema.get("title") if schema else None

    @property
    def prompt_text(self) -> str:
        return _prompt_text(self.body if isinstance(self.body, dict) else {})


@dataclass
class Fault:
    """Fail requests that match: `times` of them (None: all), of `operation` (None: any)."""

    kind: FaultKind
    times: int | None = 1
    operation: str | None = "generateContent"
    when: Callable[[RecordedRequest], bool] | None = None
    retry_delay_s: float = 1.0
    delay_s: float = 1.0

    def matches(self, request: RecordedRequest) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.operation is not None and request.operation != self.operation:
            return False
        return self.when is None or self.when(request)


FEW_SHOT = re.compile(r"^(?:Post by|Reply by) [^\n]*:\s*\Z|^(?:Scene|Sign):\s*\Z", re.M)


def _prompt_text(body: dict[str, Any]) -> str:
    """All text the request sends: system instruction, then contents in order."""
    texts: list[str] = []
    system = body.get("systemInstruction") or body.get("system_instruction") or {}
    for part in system.get("parts", []) if isinstance(system, dict) else []:
        texts.append(part.get("text", ""))
    for content in body.get("contents", []):
        for part in content.get("parts", []):
            texts.append(part.get("text", ""))
    return "\n".join(t for t in texts if t)


def estimate_tokens(text: str) -> int:
    """The stand-in's token count: one per four characters, at least one."""
    return max(1, math.ceil(len(text) / 4))


def _sentences(prompt: str) -> list[str]:
    """Sentences to copy from: the `<context>` sections when there are any, else the prompt."""
    sections = _CONTEXT.findall(prompt)
    source = "\n".join(sections) if sections else prompt
    out = []
    for piece in _SENTENCE_END.split(source):
        sentence = _MARKER.sub("", piece).strip()
        if len(sentence.split()) >= 3 and "<" not in sentence and "$" not in sentence:
            out.append(sentence)
    return out


def _pick(choices: list[Any], *salt: str) -> Any:
    digest = hashlib.sha256("\x1f".join(salt).encode()).digest()
    return choices[int.from_bytes(digest[:4], "big") % len(choices)]


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = root
        for key in schema["$ref"].removeprefix("#/").split("/"):
            target = target[key]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _type_of(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if str(k).lower() != "null"), "string")
    return str(kind).lower()


def _text_for(schema: dict[str, Any], sentences: list[str], salt: str) -> str:
    low = int(schema.get("minLength", 1))
    high = int(schema.get("maxLength", 400))
    fitting = [s for s in sentences if low <= len(s) <= high]
    if fitting:
        return str(_pick(fitting, salt))
    text = sentences[0] if sentences else "No comment."
    if len(text) > high:
        text = text[:high].rsplit(" ", 1)[0] if " " in text[:high] else text[:high]
    return text.ljust(low, ".")


def fill_schema(
    schema: dict[str, Any], prompt: str, root: dict[str, Any] | None = None, path: str = ""
) -> Any:
    """A value valid for a JSON schema (or the OpenAPI subset), copied from the prompt."""
    root = root or schema
    schema = _resolve(schema, root)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [_resolve(o, root) for o in schema[key]]
            usable = [o for o in options if _type_of(o) != "null"] or options
            return fill_schema(usable[0], prompt, root, path)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = _type_of(schema)
    if kind == "object":
        props = schema.get("properties", {})
        required = schema.get("required", list(props))
        return {
            name: fill_schema(props[name], prompt, root, f"{path}.{name}")
            for name in required
            if name in props
        }
    if kind == "array":
        count = int(schema.get("minItems", 0))
        item = schema.get("items", {"type": "string"})
        return [fill_schema(item, prompt, root, f"{path}[{i}]") for i in range(count)]
    if kind == "boolean":
        return False
    if kind == "integer":
        return int(schema.get("maximum", schema.get("minimum", 1)))
    if kind == "number":
        return float(schema.get("minimum", 0.0))
    return _text_for(schema, _sentences(prompt), f"{prompt}{path}")


def embed(text: str, dims: int) -> list[float]:
    """Hashed bag of words, L2-normalised: stable across processes, similar for shared words."""
    vector = [0.0] * dims
    for word in re.findall(r"\w+", text.lower()):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "big")
        vector[value % dims] += 1.0 if (value >> 63) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm else [1.0 / math.sqrt(dims)] * dims


def png_for(prompt: str, aspect_ratio: str | None) -> bytes:
    """A small deterministic picture: colour and shapes from the prompt's hash."""
    w, h = (int(x) for x in (aspect_ratio or "1:1").split(":"))
    size = (256, max(1, round(256 * h / w))) if w >= h else (max(1, round(256 * w / h)), 256)
    digest = hashlib.sha256(prompt.encode()).digest()
    image = Image.new("RGB", size, tuple(digest[:3]))
    draw = ImageDraw.Draw(image)
    for i in range(4):
        x, y = digest[3 + i] % size[0], digest[7 + i] % size[1]
        draw.rectangle(
            [x, y, x + size[0] // 5, y + size[1] // 5], fill=tuple(digest[11 + i : 14 + i])
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _error(code: int, status: str, message: str, details: list[Any] | None = None) -> dict:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return {"error": error}


def rate_limit_error(retry_delay_s: float) -> dict[str, Any]:
    """Gemini's 429: the quota message, then RetryInfo with the delay."""
    return _error(
        429,
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details. "
        "For more information on this error, head to: "
        "https://ai.google.dev/gemini-api/docs/rate-limits.\n"
        "* Quota exceeded for metric: "
        "generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10\n"
        f"Please retry in {retry_delay_s:g}s.",
        [
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Learn more about Gemini API quotas",
                        "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                    }
                ],
            },
            {
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": f"{math.ceil(retry_delay_s)}s",
            },
        ],
    )


class GeminiStandIn:
    """The server. Use as a context manager, or `start()` / `stop()`.

    `api_key`: when set, requests must carry it (`x-goog-api-key` header or `?key=`),
    as the real API requires; a wrong key gets Gemini's 400 API_KEY_INVALID.
    `answers`: schema title -> object to answer with instead of the extractive fill.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        embedding_dims: int = 768,
        thinking_tokens: int = 0,
        answers: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.api_key = api_key
        self.embedding_dims = embedding_dims
        self.thinking_tokens = thinking_tokens
        self.answers = dict(answers or {})
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "GeminiStandIn":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "GeminiStandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def requests_for(self, operation: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.operation == operation]

    # -- request handling -------------------------------------------------------------

    def _take_fault(self, request: RecordedRequest) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(request):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _auth_error(self, request: RecordedRequest) -> tuple[int, dict] | None:
        if self.api_key is None:
            return None
        given = request.headers.get("x-goog-api-key") or (request.query.get("key") or [None])[0]
        if given is None:
            return 403, _error(
                403,
                "PERMISSION_DENIED",
                "Method doesn't allow unregistered callers (callers without established "
                "identity). Please use API Key or other form of API consumer identity to call "
                "this API.",
            )
        if given != self.api_key:
            return 400, _error(
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
                [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                    }
                ],
            )
        return None

    def handle(self, request: RecordedRequest) -> tuple[int, bytes, str]:
        """Status, body and content type for one request (already recorded)."""
        denied = self._auth_error(request)
        if denied:
            return denied[0], json.dumps(denied[1]).encode(), "application/json"
        if request.method == "POST" and request.body is None:
            return (
                400,
                _json(_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")),
                "application/json",
            )
        fault = self._take_fault(request)
        if fault is not None:
            request.fault = fault.kind
            if fault.kind == "slow":
                self._stopping.wait(fault.delay_s)
            elif fault.kind == "rate_limit":
                return 429, _json(rate_limit_error(fault.retry_delay_s)), "application/json"
            elif fault.kind == "server_error":
                return (
                    500,
                    _json(
                        _error(
                            500,
                            "INTERNAL",
                            "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
                        )
                    ),
                    "application/json",
                )
            elif fault.kind == "unavailable":
                return (
                    503,
                    _json(
                        _error(
                            503, "UNAVAILABLE", "The model is overloaded. Please try again later."
                        )
                    ),
                    "application/json",
                )
            elif fault.kind == "broken_body":
                return 200, b'{"candidates": [{"content": {"parts": [{"text": "', "application/json"
        op = request.operation
        if op == "get":
            return 200, _json(self._model_info(request.model)), "application/json"
        if op in ("generateContent", "streamGenerateContent"):
            answer = self._generate(request, fault.kind if fault else None)
            request.usage = answer.get("usageMetadata")
            if op == "streamGenerateContent":
                return 200, b"data: " + _json(answer) + b"\r\n\r\n", "text/event-stream"
            return 200, _json(answer), "application/json"
        if op == "embedContent":
            return (
                200,
                _json({"embedding": {"values": self._embed_one(request.body)}}),
                "application/json",
            )
        if op == "batchEmbedContents":
            vectors = [{"values": self._embed_one(r)} for r in request.body.get("requests", [])]
            return 200, _json({"embeddings": vectors}), "application/json"
        if op == "countTokens":
            total = estimate_tokens(_prompt_text(request.body)) if request.body else 0
            return 200, _json({"totalTokens": total}), "application/json"
        return (
            404,
            _json(_error(404, "NOT_FOUND", f"Method {op} is not found for {request.path}.")),
            "application/json",
        )

    def _model_info(self, model: str) -> dict[str, Any]:
        return {
            "name": f"models/{model}",
            "version": "standin",
            "displayName": f"{model} (local stand-in)",
            "inputTokenLimit": 1048576,
            "outputTokenLimit": 65536,
            "supportedGenerationMethods": ["generateContent", "countTokens", "embedContent"],
        }

    def _embed_one(self, body: dict[str, Any]) -> list[float]:
        parts = (body.get("content") or {}).get("parts", [])
        text = " ".join(p.get("text", "") for p in parts)
        dims = int(body.get("outputDimensionality") or self.embedding_dims)
        return embed(text, dims)

    def _generate(self, request: RecordedRequest, fault: str | None) -> dict[str, Any]:
        prompt = request.prompt_text
        usage: dict[str, Any] = {"promptTokenCount": estimate_tokens(prompt)}
        base = {
            "modelVersion": request.model,
            "responseId": hashlib.sha1(request.raw).hexdigest()[:22],
        }
        if fault == "prompt_blocked":
            return {
                "promptFeedback": {
                    "blockReason": "SAFETY",
                    "safetyRatings": [
                        {
                            "category": "HARM_CATEGORY_HARASSMENT",
                            "probability": "HIGH",
                            "blocked": True,
                        }
                    ],
                },
                "usageMetadata": {**usage, "totalTokenCount": usage["promptTokenCount"]},
                **base,
            }
        if fault == "safety":
            return {
                "candidates": [
                    {
                        "finishReason": "SAFETY",
                        "index": 0,
                        "safetyRatings": [
                            {
                                "category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                                "probability": "HIGH",
                                "blocked": True,
                            },
                            {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"},
                        ],
                    }
                ],
                "usageMetadata": {**usage, "totalTokenCount": usage["promptTokenCount"]},
                **base,
            }
        config = request.generation_config
        modalities = [str(m).upper() for m in config.get("responseModalities", [])]
        parts: list[dict[str, Any]] = []
        output_tokens = 0
        if "IMAGE" in modalities:
            aspect = (config.get("imageConfig") or {}).get("aspectRatio")
            data = base64.b64encode(png_for(prompt, aspect)).decode()
            text = "Here is the picture."
            parts = [{"text": text}, {"inlineData": {"mimeType": "image/png", "data": data}}]
            output_tokens = estimate_tokens(text) + IMAGE_OUTPUT_TOKENS
        else:
            schema = request.response_schema
            if schema is not None and str(config.get("responseMimeType", "")).endswith("json"):
                value = self.answers.get(str(schema.get("title"))) or fill_schema(schema, prompt)
                text = json.dumps(value, ensure_ascii=False)
                if fault == "malformed_json":
                    text = text[: max(1, len(text) // 2)]
            elif FEW_SHOT.search(prompt):
                # A few-shot continuation (the writers' prompts): answer like the fake model.
                text = continuation(prompt, int(config.get("seed", 0)))
            else:
                sentences = _sentences(prompt)
                text = _pick(sentences, prompt) if sentences else "No comment."
            parts = [{"text": text}]
            output_tokens = estimate_tokens(text)
        finish = "MAX_TOKENS" if fault == "malformed_json" else "STOP"
        thoughts = self.thinking_tokens
        budget = (config.get("thinkingConfig") or {}).get("thinkingBudget")
        if budget is not None and budget >= 0:
            thoughts = min(thoughts, int(budget))
        limit = config.get("maxOutputTokens")
        if thoughts and limit is not None and thoughts + output_tokens > int(limit):
            thoughts = min(thoughts, int(limit))
            room = int(limit) - thoughts
            kept = parts[0]["text"][: room * 4] if room > 0 and "text" in parts[0] else ""
            parts = [{"text": kept}] if kept else []
            output_tokens = estimate_tokens(kept) if kept else 0
            finish = "MAX_TOKENS"
        usage["candidatesTokenCount"] = output_tokens
        if thoughts:
            usage["thoughtsTokenCount"] = thoughts
        usage["totalTokenCount"] = usage["promptTokenCount"] + output_tokens + thoughts
        if not parts:
            candidate = {"finishReason": finish, "index": 0}
            return {"candidates": [candidate], "usageMetadata": usage, **base}
        return {
            "candidates": [
                {"content": {"parts": parts, "role": "model"}, "finishReason": finish, "index": 0}
            ],
            "usageMetadata": usage,
            **base,
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _serve(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                match = _PATH.match(url.path)
                request = RecordedRequest(
                    method=self.command,
                    path=url.path,
                    query=parse_qs(url.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    raw=raw,
                    body=body,
                    model=match["model"] if match else "",
                    operation=(match["op"] or "get") if match else "",
                    arrived=time.monotonic(),
                )
                with stand_in._lock:
                    stand_in.requests.append(request)
                if match is None:
                    status, payload, ctype = (
                        404,
                        _json(_error(404, "NOT_FOUND", f"{url.path} is not a Gemini API path")),
                        "application/json",
                    )
                else:
                    status, payload, ctype = stand_in.handle(request)
                request.status = status
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", f"{ctype}; charset=UTF-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to answer

            do_GET = _serve
            do_POST = _serve

        return Handler


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted; prints the settings that point scenariosim at it."""
    parser = argparse.ArgumentParser(description="A local stand-in of the Gemini API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--key", default=None, help="require this API key (default: any)")
    parser.add_argument(
        "--thinking", type=int, default=0, help="thinking tokens per answer, as Gemini 2.5 spends"
    )
    args = parser.parse_args(argv)
    server = GeminiStandIn(args.key, host=args.host, port=args.port, thinking_tokens=args.thinking)
    with server as stand_in:
        print(f"Gemini stand-in at {stand_in.url} (Ctrl-C to stop). Point scenariosim at it:")
        print(f"  export SCENARIOSIM_GEMINI_BASE_URL={stand_in.url}")
        print(f"  export GOOGLE_API_KEY={args.key or 'test'}")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
