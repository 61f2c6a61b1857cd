"""Hugo's built-in shortcodes that make HTML: figure, and embeds that load nothing from another
site. A video is a card linking to it (a click swaps in the player, see components.js); a gist,
a post on X or an Instagram post is a plain link."""

import re
from html import escape

from .templates import markdownified
from .text import Context

_ID = re.compile(r"^[\w-]+$")


def figure(call, ctx: Context) -> str | None:
    src = call.get("src", 0)
    if not src:
        ctx.warn(call.start, "shortcode 'figure' needs src=\"…\"; it is left out of the page")
        return None
    image = _attributes(src=_site_path(src, ctx), alt=call.get("alt") or call.get("title"),
                        width=call.get("width"), height=call.get("height"),
                        loading=call.get("loading") or "lazy")
    html = f"<img{image}>"
    if call.get("link"):
        link = _attributes(href=_site_path(call.get("link"), ctx), target=call.get("target"),
                           rel=call.get("rel"))
        html = f"<a{link}>{html}</a>"
    caption = ""
    if call.get("title"):
        caption += f"<strong>{escape(call.get('title'))}</strong> "
    if call.get("caption"):
        caption += str(markdownified(call.get("caption")))
    if call.get("attr"):
        caption += f" {escape(call.get('attr'))}"
    if caption:
        html += f"<figcaption>{caption.strip()}</figcaption>"
    return f'<figure{_attributes(**{"class": call.get("class")})}>{html}</figure>'


def youtube(call, ctx: Context) -> str | None:
    video = _video_id(call, ctx)
    return video and video_card("youtube", f"https://www.youtube.com/watch?v={video}",
                                f"https://www.youtube-nocookie.com/embed/{video}?autoplay=1",
                                call.get("title") or "Video on YouTube", "YouTube")


def vimeo(call, ctx: Context) -> str | None:
    video = _video_id(call, ctx)
    return video and video_card("vimeo", f"https://vimeo.com/{video}",
                                f"https://player.vimeo.com/video/{video}?autoplay=1&dnt=1",
                                call.get("title") or "Video on Vimeo", "Vimeo")


def video_card(host: str, url: str, player: str, title: str, host_name: str) -> str:
    """A link to the video dressed as a player: nothing is fetched from the host until the
    reader clicks, and without JavaScript it stays a link."""
    return (f'<figure class="video-card video-card--{host}"><a class="video-card__link" '
            f'href="{escape(url)}" data-player="{escape(player)}" data-title="{escape(title)}">'
            '<span class="video-card__play" aria-hidden="true"></span>'
            f'<span class="video-card__title">{escape(title)}</span>'
            f'<span class="video-card__host">Play on {host_name}</span></a></figure>')


def gist(call, ctx: Context) -> str | None:
    user, gist_id = call.get("user", 0), call.get("id", 1)
    if not (user and gist_id):
        return _needs(call, ctx, 'a user and a gist id, as in {{< gist user 1234abcd >}}')
    file = call.get("file", 2)
    url = f"https://gist.github.com/{user}/{gist_id}" + (f"#file-{file}" if file else "")
    return _embed_link(url, f"View the gist {file or gist_id} by {user} on GitHub")


def post_on_x(call, ctx: Context) -> str | None:
    user, post = call.get("user"), call.get("id", 0)
    if not post:
        return _needs(call, ctx, 'an id, as in {{< x user="name" id="123" >}}')
    url = f"https://x.com/{user}/status/{post}" if user else f"https://x.com/i/status/{post}"
    return _embed_link(url, f"View the post by @{user} on X" if user else "View the post on X")


def instagram(call, ctx: Context) -> str | None:
    post = call.get("id", 0)
    if not post:
        return _needs(call, ctx, 'a post id, as in {{< instagram BWNjjyYFxVx >}}')
    return _embed_link(f"https://www.instagram.com/p/{post}/", "View the post on Instagram")


def bare_link(html: str) -> str:
    """The link alone, for an embed written inside a sentence."""
    return re.sub(r"^<p[^>]*>|</p>$", "", html)


BUILT_IN = {"figure": figure, "youtube": youtube, "vimeo": vimeo, "gist": gist,
            "tweet": post_on_x, "x": post_on_x, "instagram": instagram}
LINKS = {"gist", "tweet", "x", "instagram"}


def _embed_link(url: str, label: str) -> str:
    return f'<p class="embed-link"><a href="{escape(url)}">{escape(label)}</a></p>'


def _video_id(call, ctx: Context) -> str | None:
    video = call.get("id", 0)
    if not _ID.match(video or ""):
        _needs(call, ctx, "a video id (letters, digits, - and _)")
        return None
    return video


def _needs(call, ctx: Context, what: str) -> None:
    ctx.warn(call.start, f"shortcode '{call.name}' needs {what}; it is left out of the page")
    return None


def _site_path(url: str, ctx: Context) -> str:
    """A src or href as the page needs it: paths beside the essay become site paths, as the
    Markdown's own links do."""
    from ..markdown import site_link
    from .templates import relative_url
    if url.startswith("/") and not url.startswith("//"):
        return relative_url(ctx, url)
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//|^#", url, re.I):
        return url
    return site_link(ctx.essay, ctx.links, url, ctx.deps, ctx.problems)


def _attributes(**values) -> str:
    return "".join(f' {name}="{escape(str(value))}"' for name, value in values.items()
                   if value not in (None, ""))
