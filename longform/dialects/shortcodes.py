"""Hugo's shortcodes, in both delimiters ({{< >}} and {{% %}}), positional or named arguments,
self-closing or paired: Hugo's own (ref, relref, figure, youtube, vimeo, gist, tweet, x,
instagram, highlight, param) and the writer's, ported as templates/shortcodes/NAME.html. Code
blocks, code spans and math are never touched."""

import re
from dataclasses import replace

from markupsafe import Markup

from . import embeds
from .templates import markdownified, page_values, rendered_snippet
from .text import (
    Context,
    alone_on_line,
    fenced,
    indent_of,
    padded,
    replaced_outside_code,
)

_NO_BLANK_LINE = r"(?:[^\n]|\n(?![ \t]*\n))*?"
TOKEN = re.compile(r"\{\{<(" + _NO_BLANK_LINE + r")>\}\}|\{\{%(" + _NO_BLANK_LINE + r")%\}\}")
_ARGUMENT = re.compile(r'''(?:([\w-]+)\s*=\s*)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`=]+)''')
SINGLE = {"ref", "relref", "figure", "youtube", "vimeo", "gist", "tweet", "x", "instagram",
          "param"}


def translated(text: str, ctx: Context) -> str:
    return replaced_outside_code(text, TOKEN, _replaced, ctx)


def _replaced(text: str, match: re.Match, ctx: Context) -> tuple[str, int]:
    inner = (match.group(1) if match.group(1) is not None else match.group(2)).strip()
    delimiter = "<" if match.group(1) is not None else "%"
    if inner.startswith("/*") and inner.endswith("*/"):  # {{</* x */>}} writes {{< x >}}
        closing = ">" if delimiter == "<" else "%"
        return f"{{{{{delimiter} {inner[2:-2].strip()} {closing}}}}}", match.end()
    if inner.startswith("/"):
        ctx.warn(match.start(), f"'{_short(match.group(0))}' closes a shortcode that was never "
                                "opened; it is left out of the page")
        return "", match.end()
    self_closing = inner.endswith("/")
    name, _, rest = inner.rstrip("/").strip().partition(" ")
    positional, named = arguments(rest)
    closer = None if self_closing or name in SINGLE else _closer(text, match, name)
    body = text[match.end():closer.start()] if closer else None
    end = closer.end() if closer else match.end()
    call = Call(name, positional, named, body, delimiter, match.start(), end)
    html = _expanded(call, text, ctx)
    return padded(html, text[match.start():end]), end


class Call:
    """One use of a shortcode: its name, arguments, inner text (None: not paired) and place."""

    def __init__(self, name, positional, named, inner, delimiter, start, end):
        self.name, self.positional, self.named = name, positional, named
        self.inner, self.delimiter, self.start, self.end = inner, delimiter, start, end

    def get(self, key: str, index: int | None = None, default: str = "") -> str:
        if key in self.named:
            return self.named[key]
        if index is not None and index < len(self.positional):
            return self.positional[index]
        return default


def arguments(text: str) -> tuple[list[str], dict[str, str]]:
    """Positional and named arguments, quotes removed ("…" with escapes, `…` raw)."""
    positional, named = [], {}
    for key, raw in _ARGUMENT.findall(text):
        value = _unquoted(raw)
        if key:
            named[key] = value
        else:
            positional.append(value)
    return positional, named


def _unquoted(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return re.sub(r"\\(.)", r"\1", raw[1:-1])
    if len(raw) >= 2 and raw[0] == raw[-1] == "`":
        return raw[1:-1]
    return raw


def _closer(text: str, opening: re.Match, name: str) -> re.Match | None:
    """The {{< /name >}} that closes this shortcode (nested ones of the same name counted)."""
    depth = 0
    for match in TOKEN.finditer(text, opening.end()):
        inner = (match.group(1) if match.group(1) is not None else match.group(2)).strip()
        word = inner.rstrip("/").strip().split(" ", 1)[0]
        if inner.startswith("/") and inner[1:].strip() == name:
            if depth == 0:
                return match
            depth -= 1
        elif word == name and not inner.endswith("/"):
            depth += 1
    return None


def _expanded(call: Call, text: str, ctx: Context) -> str:
    """The text that stands for one shortcode in the Markdown."""
    if call.name in ("ref", "relref"):
        target = call.get("path", 0)
        return (ctx.essay_url(call.start, target, f"{{{{< {call.name} >}}}}") or "") if target \
            else _missing(ctx, call, "the essay to link to, as in {{< ref \"other.md\" >}}")
    if call.name == "param":
        return _param(call, ctx)
    if call.name == "highlight":
        return _highlight(call, text, ctx)
    custom = _custom(call, ctx)
    if custom is not None:
        return custom
    if call.name in embeds.BUILT_IN:
        html = embeds.BUILT_IN[call.name](call, ctx)
        if html is None:
            return ""
        if call.name in embeds.LINKS and not alone_on_line(text, call.start, call.end):
            html = embeds.bare_link(html)
        return ctx.store(html)
    inside = "; the text inside is kept" if call.inner else ""
    ctx.warn(call.start, f"shortcode '{call.name}' is unknown: add "
                         f"templates/shortcodes/{call.name}.html to port it; it is left out of "
                         f"the page{inside}")
    return translated_inner(call, ctx) if call.inner else ""


def _missing(ctx: Context, call: Call, what: str) -> str:
    ctx.warn(call.start, f"shortcode '{call.name}' needs {what}; it is left out of the page")
    return ""


def _param(call: Call, ctx: Context) -> str:
    key = call.get("name", 0)
    value = page_values(ctx)
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        value = ", ".join(map(str, value))
    if not key or value is None or isinstance(value, dict | list):
        return _missing(ctx, call, f"a frontmatter value '{key}' (text or a number)")
    return str(Markup.escape(value))


def _highlight(call: Call, text: str, ctx: Context) -> str:
    if call.inner is None:
        return _missing(ctx, call, "a closing {{< /highlight >}} after the code")
    options = dict(part.partition("=")[::2] for part in call.get("options", 1).split(",")
                   if part.strip())
    settings = []
    if options.get("linenos", "false").strip() not in ("false", ""):
        settings.append(f'linenums="{options.get("linenostart", "1").strip() or "1"}"')
    if options.get("hl_lines", "").strip():
        settings.append(f'hl_lines="{options["hl_lines"].strip()}"')
    language = re.sub(r"[^\w+#-]", "", call.get("lang", 0))
    return fenced(call.inner, language, " ".join(settings), indent_of(text, call.start))


def _custom(call: Call, ctx: Context) -> str | None:
    """The writer's templates/shortcodes/NAME.html, or None when there is none."""
    if not re.fullmatch(r"[\w-]+", call.name):
        return None
    inner = None
    if call.inner is not None:
        inner = translated_inner(call, ctx)
        inner = markdownified(_shielded(inner), blocks=True) if call.delimiter == "%" \
            else Markup(ctx.unstashed(inner))
        inner = Markup(ctx.unstashed(_unshielded(str(inner))))
    values = {**call.named, "args": call.positional, "params": call.named, "inner": inner}
    html = rendered_snippet(ctx, call.start, f"shortcodes/{call.name}.html", values)
    if html is None:
        return None
    return ctx.store(html) if html else ""


def translated_inner(call: Call, ctx: Context) -> str:
    """The inner text with its own shortcodes expanded, problems still at the writer's lines."""
    first = ctx.line(call.start)
    own_text = ctx.text
    inner_ctx = replace(ctx, essay=replace(ctx.essay, body_line=first))
    result = translated(call.inner, inner_ctx)
    ctx.text = own_text
    return result


def _shielded(text: str) -> str:
    # Placeholders hold control characters that Markdown drops: carry them through as words.
    return re.sub("\x02wzxhzdk:(\\d+)\x03", r"LONGFORMSTASH\1X", text)


def _unshielded(html: str) -> str:
    return re.sub(r"LONGFORMSTASH(\d+)X", "\x02wzxhzdk:\\1\x03", html)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "…"
