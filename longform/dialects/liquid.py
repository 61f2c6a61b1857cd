"""Jekyll's Liquid as posts use it: site and page values with the URL filters, and the tags
post_url, link, highlight, raw, comment and include. Anything else is left out of the page with
a warning at its line. Code blocks, code spans and math are never touched."""

import re
from datetime import date
from html import escape

from .templates import absolute_url, page_values, relative_url, rendered_snippet, site_values
from .text import (
    Context,
    fenced,
    indent_of,
    padded,
    protected_spans,
    replaced_outside_code,
)

_NO_BLANK_LINE = r"(?:[^\n]|\n(?![ \t]*\n))*?"
# "{" first and the look-behind after it: the regex engine then tries only where a "{" is.
TOKEN = re.compile(r"\{(?<!\{\{)%-?(" + _NO_BLANK_LINE + r")-?%\}|"
                   r"\{\{(?![<%])-?(" + _NO_BLANK_LINE + r")-?\}\}")
_RAW_TAG = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
_ARGUMENT = re.compile(r"""([\w-]+)\s*=\s*("[^"]*"|'[^']*'|\S+)""")
_BEFORE_URL_TAG = re.compile(r"\s*\{%-?\s*(?:post_url|link)\b")
_STRING = re.compile(r"""^("([^"]*)"|'([^']*)')$""")


def translated(text: str, ctx: Context) -> str:
    text = _raw_tags_out_of_code(text)
    return replaced_outside_code(text, TOKEN, _replaced, ctx)


def _raw_tags_out_of_code(text: str) -> str:
    """{% raw %} … {% endraw %} only ever kept Jekyll out of code: inside code they go, with
    nothing else changed."""
    protected = protected_spans(text)
    pieces, position = [], 0
    for start, end in protected.spans:
        chunk = text[start:end]
        if "raw" in chunk and len(_RAW_TAG.findall(chunk)) >= 2:
            pieces += [text[position:start], _RAW_TAG.sub("", chunk)]
            position = end
    return "".join(pieces) + text[position:] if pieces else text


def _replaced(text: str, match: re.Match, ctx: Context) -> tuple[str, int]:
    """What a Liquid tag or output turns into, and where reading goes on."""
    if match.group(2) is not None:
        if _is_base_before_url_tag(match, text):
            return "", match.end()  # {{ site.baseurl }}{% post_url x %}: the tag has it
        return _output(match.group(2), match.start(), ctx), match.end()
    name, _, rest = match.group(1).strip().partition(" ")
    rest = rest.strip()
    if name in _PAIRED:
        return _PAIRED[name](text, match, rest, ctx)
    if name == "post_url":
        return ctx.essay_url(match.start(), rest, "{% post_url %}") or "", match.end()
    if name == "link":
        return _link(rest, match.start(), ctx), match.end()
    if name == "include":
        return _include(rest, match.start(), ctx), match.end()
    ctx.warn(match.start(), f"Liquid tag '{_short(match.group(0))}' is not supported; it is "
                            "left out of the page")
    return "", match.end()


def _is_base_before_url_tag(match: re.Match, text: str) -> bool:
    words = match.group(2).split()
    return words == ["site.baseurl"] and bool(_BEFORE_URL_TAG.match(text, match.end()))


def _until(text: str, match: re.Match, name: str, ctx: Context) -> re.Match | None:
    end = re.compile(r"\{%-?\s*end" + name + r"\s*-?%\}").search(text, match.end())
    if end is None:
        ctx.warn(match.start(), f"{{% {name} %}} has no {{% end{name} %}}; add it after the "
                                "last line it covers")
    return end


def _raw(text: str, match: re.Match, rest: str, ctx: Context) -> tuple[str, int]:
    end = _until(text, match, "raw", ctx)
    if end is None:
        return "", match.end()
    return text[match.end():end.start()], end.end()


def _comment(text: str, match: re.Match, rest: str, ctx: Context) -> tuple[str, int]:
    end = _until(text, match, "comment", ctx)
    if end is None:
        return "", match.end()
    return "\n" * text.count("\n", match.start(), end.end()), end.end()


def _highlight(text: str, match: re.Match, rest: str, ctx: Context) -> tuple[str, int]:
    end = _until(text, match, "highlight", ctx)
    if end is None:
        return "", match.end()
    words = rest.split()
    language = words[0] if words and words[0].replace("-", "").replace("+", "").isalnum() \
        else ""
    options = ['linenums="1"'] if any(w.startswith("linenos") for w in words[1:]) else []
    marked = re.search(r"mark_lines=\"([\d ]+)\"", rest)
    if marked:
        options.append(f'hl_lines="{marked.group(1)}"')
    code = text[match.end():end.start()]
    block = fenced(code, language, " ".join(options), indent_of(text, match.start()))
    return padded(block, text[match.start():end.end()]), end.end()


_PAIRED = {"raw": _raw, "comment": _comment, "highlight": _highlight}


def _link(rest: str, position: int, ctx: Context) -> str:
    target = rest.strip().strip("\"'")
    if target.endswith((".md", ".markdown")):
        return ctx.essay_url(position, target, "{% link %}") or ""
    return relative_url(ctx, target)


def _include(rest: str, position: int, ctx: Context) -> str:
    name, _, arguments = rest.partition(" ")
    if not name or "{" in name:
        ctx.warn(position, f"{{% include {_short(rest)} %}}: only a file name is supported; "
                           "it is left out of the page")
        return ""
    values = {key: _value(raw, ctx)[1] for key, raw in _ARGUMENT.findall(arguments)}
    html = rendered_snippet(ctx, position, f"includes/{name}", {"include": values})
    if html is None:
        ctx.warn(position, f"{{% include {name} %}}: there is no templates/includes/{name}; "
                           "add it (Jinja) or remove the tag; it is left out of the page")
    return ctx.store(html) if html else ""


def _output(expression: str, position: int, ctx: Context) -> str:
    """{{ value | filter: arg | … }} as text, or nothing (with a warning) when unsupported."""
    value_text, *filters = [part.strip() for part in expression.split("|")]
    known, value = _value(value_text, ctx)
    if not known:
        ctx.warn(position, f"Liquid value '{{{{ {_short(expression.strip())} }}}}' is not "
                           "supported; it is left out of the page")
        return ""
    for spec in filters:
        name, _, argument = spec.partition(":")
        filtered = _filtered(value, name.strip(), argument.strip(), ctx)
        if filtered is None:
            ctx.warn(position, f"Liquid filter '{name.strip()}' is not supported; "
                               f"'{{{{ {_short(expression.strip())} }}}}' is left out of the page")
            return ""
        value = filtered
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _value(text: str, ctx: Context) -> tuple[bool, object]:
    """(known, value) of a literal or a site./page. name."""
    literal = _STRING.match(text)
    if literal:
        return True, literal.group(2) if literal.group(2) is not None else literal.group(3)
    if re.fullmatch(r"-?\d+", text):
        return True, int(text)
    scope, _, key = text.partition(".")
    values = {"site": site_values, "page": page_values}.get(scope)
    if values is None or not key:
        return False, None
    found = values(ctx)
    for part in key.split("."):
        if not isinstance(found, dict) or part not in found:
            return False, None
        found = found[part]
    return True, found


def _filtered(value, name: str, argument: str, ctx: Context):
    """value through one Liquid filter; None for a filter we do not know."""
    if name in ("prepend", "append"):
        known, other = _value(argument, ctx)
        if not known:
            return None
        return f"{other}{value}" if name == "prepend" else f"{value}{other}"
    if name == "date" and isinstance(value, date):
        known, pattern = _value(argument, ctx)
        return value.strftime(str(pattern)) if known else None
    simple = {"relative_url": lambda v: relative_url(ctx, v),
              "absolute_url": lambda v: absolute_url(ctx, v),
              "escape": lambda v: escape(str(v)), "xml_escape": lambda v: escape(str(v)),
              "downcase": lambda v: str(v).lower(), "upcase": lambda v: str(v).upper(),
              "strip": lambda v: str(v).strip(), "capitalize": lambda v: str(v).capitalize()}
    return simple[name](value) if name in simple else None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "…"
