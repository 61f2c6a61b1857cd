"""Jinja2 as the pages use it, with its costliest steps per output taken on a short path.

A template edit re-renders every essay page, and most of a page's time went to Jinja's own
steps around each value, not to the theme: a call through `Context.call` cost twenty times the
function it called, each escaped value was made a Markup only to be joined into the page, and a
dict's key was looked up after a failed attribute lookup, and the globals were copied out of a
ChainMap for every page. Each short path gives what the long one gives; a theme cannot tell
them apart. Together: an essay page in 53% of the instructions, a listing page in 48%.
"""

import os
import types
from functools import _lru_cache_wrapper

import jinja2
from jinja2.compiler import CodeGenerator
from jinja2.filters import do_striptags
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Macro
from markupsafe import Markup, escape

try:
    from markupsafe import _escape_inner  # MarkupSafe 3: escape() is this plus a Markup
except ImportError:  # MarkupSafe 2: escape() is all C already
    _escape_inner = None


# Callables whose `__call__` carries no pass_context marker (a slot wrapper; a macro's is a
# plain method), so only the object's own `jinja_pass_arg` could ask for the context.
_PLAIN = frozenset({types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                    _lru_cache_wrapper, Macro})
_DICT_NAMES = frozenset(dir(dict))  # what getattr finds on a plain dict: its methods


class _Context(Context):
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 — Jinja's own signature
        """A plain function or a macro is called straight; anything else goes Jinja's way."""
        if type(__obj) not in _PLAIN or hasattr(__obj, "jinja_pass_arg"):
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            # A macro given just its parameters, in order: what Macro.__call__ would do once
            # it found nothing to sort out (no keywords, defaults, caller or extra arguments).
            if type(__obj) is Macro and not kwargs and len(args) == __obj._argument_count \
                    and not (__obj.caller or __obj.catch_kwargs or __obj.catch_varargs
                             or __self.environment.is_async) \
                    and not (args and isinstance(args[0], EvalContext)):
                html = __obj._func(*args)
                return Markup(html) if __obj._default_autoescape else html
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised "
                                                "a StopIteration exception")


class _CodeGenerator(CodeGenerator):
    def _output_child_pre(self, node, frame, finalize, *rest) -> None:
        """A value written into the page is escaped into a str: it is joined into the page
        at once, so the Markup that escape() makes would be thrown away. (Macro bodies and
        {% set %} blocks still come back as Markup: Jinja wraps what they join.)"""
        if (frame.eval_ctx.autoescape and not frame.eval_ctx.volatile
                and finalize.src is None and not rest):
            self.write("environment.escaped(")
        else:
            super()._output_child_pre(node, frame, finalize, *rest)


def escaped(value) -> str:
    """markupsafe.escape(value) as a str."""
    if _escape_inner is None:
        return escape(value)
    if type(value) is str:
        return _escape_inner(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape_inner(str(value))


def striptags(value) -> str:
    """Jinja's striptags filter, for a text with no tag and no entity (a contents entry, most
    often) without making two Markups and looking for tags and comments: its words, one space
    apart, which is what the filter gives it."""
    text = str(value.__html__() if hasattr(value, "__html__") else value)
    if "<" not in text and "&" not in text:
        return " ".join(text.split())
    return do_striptags(value)


class BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates in a folder, written back as they compile."""

    def __init__(self, directory: str):
        # They call environment.escaped, which a plain Jinja lacks: their files are named
        # apart from plain Jinja's (and renamed whenever the code generator changes).
        super().__init__(directory, "__jinja2_%s.longform-1.cache")

    def dump_bytecode(self, bucket) -> None:
        """A cache that cannot be written is no error; a folder deleted since (the writer
        cleared .longform-cache while serve ran) is made again."""
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


class Environment(jinja2.Environment):
    """jinja2.Environment, the same pages a little sooner."""

    code_generator_class = _CodeGenerator
    context_class = _Context
    escaped = staticmethod(escaped)

    def make_globals(self, d=None) -> dict:
        """A template's globals as one dict, not Jinja's ChainMap over the environment's:
        every page's context copies them, and copying a ChainMap cost a tenth of a page. So
        the copy is taken as the template loads, and set_globals drops loaded templates."""
        return {**self.globals, **(d or {})}

    def set_globals(self, **values) -> None:
        """Globals for the renders to come. Templates loaded before are dropped: each holds
        the globals it was loaded with (and an imported one, its module rendered with them).
        They load again from the bytecode cache, a third of a millisecond each."""
        self.globals.update(values)
        if self.cache is not None:
            self.cache.clear()

    def getattr(self, obj, attribute: str):
        """A dict's key without first failing to find an attribute of that name."""
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)
