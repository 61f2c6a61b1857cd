"""longform/highlight.py: reusing lexers, style tables and highlighted blocks leaves
pymdownx.highlight's HTML as it was."""

import json
import subprocess
import sys

import markdown
import pymdownx.highlight

from longform import highlight

EXTENSIONS = ["pymdownx.highlight", "pymdownx.superfences"]
CONFIG = {"pymdownx.highlight": {"use_pygments": True, "css_class": "highlight",
                                 "guess_lang": False}}
# Languages by name and alias, an unknown one, none, options that change the formatter.
TEXTS = ["```python\ndef f(x):\n    return x < 2  # a & b\n```",
         "```py\nprint('again')\n```\n\n```python\nprint('third')\n```",
         "```js\nconst a = `t${1}`;\n```\n\n```sql\nSELECT 1;\n```",
         "```nosuchlanguage\n<b>raw</b>\n```",
         "```\nplain & simple\n```",
         '```python hl_lines="2" linenums="3"\na = 1\nb = 2\n```',
         '```python title="setup.py"\nimport os\n```',
         "```r\nx <- c(1, 2)\n```\n\n```python\nx = [1, 2]\n```",
         # The same code again, with other options: each is highlighted as its options say.
         '```python\na = 1\nb = 2\n```\n\n```python hl_lines="1"\na = 1\nb = 2\n```',
         '```python linenums="1"\na = 1\nb = 2\n```\n\n```python title="b.py"\na = 1\nb = 2\n```']


def reference_html() -> list[str]:
    """The texts through plain pymdownx.highlight, in a process where nothing was reused."""
    script = ("import json, sys, markdown\n"
              "texts, extensions, config = json.loads(sys.stdin.read())\n"
              "print(json.dumps([markdown.markdown(t, extensions=extensions, "
              "extension_configs=config) for t in texts]))")
    out = subprocess.run([sys.executable, "-c", script], input=json.dumps([TEXTS, EXTENSIONS,
                         CONFIG]), capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_the_same_html_as_pymdownx_highlight_with_lexers_and_styles_reused():
    md = markdown.Markdown(extensions=[*EXTENSIONS, highlight.ReusedHighlighting()],
                           extension_configs=CONFIG)
    twice = [[md.reset().convert(t) for t in TEXTS] for _ in range(2)]
    assert twice[0] == twice[1] == reference_html()
    assert '<span class="k">def</span>' in twice[0][0]


def test_each_lexer_and_style_table_is_made_once():
    md = markdown.Markdown(extensions=[*EXTENSIONS, highlight.ReusedHighlighting()],
                           extension_configs=CONFIG)
    md.convert(TEXTS[0])
    lexer = pymdownx.highlight.get_lexer_by_name("python", stripnl=False)
    assert lexer is pymdownx.highlight.get_lexer_by_name("python", stripnl=False)
    assert highlight._StyledOnce._tables
