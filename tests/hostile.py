"""The hostile corpus: values the gate accepts that have broken (or could break) a stage of the pipeline.

Each is legal editor input; the site must show it as text, and a backup of it must restore exactly.
"""

# YAML: strings that parse as other types or structure when written unquoted.
YAML = [
    "yes",
    "no",
    "null",
    "~",
    "2024-01-01",
    "0123",
    "1e3",
    "- 列表项",
    "键: 值",
    "&anchor",
    "*alias",
    "!!python/object:os.system",
    "---",
    "...",
    "# 注释",
    "'单引号'",
    '"双引号"',
    "{a: 1}",
    "[1, 2]",
    "|",
    ">",
    "%TAG",
    "@符号",
    "`反引号`",
]
# Markdown, HTML and templates.
MARKUP = [
    "<script>alert(1)</script>",
    "</title><img src=x onerror=alert(2)>",
    "{{ config.site_name }}",
    "{% include 'x' %}",
    "[点我](javascript:alert(3))",
    "**粗体** _斜体_",
    "\\",
    "\\\\双反斜杠",
    "## 伪标题",
    "> 伪引用",
    "![伪图](media/x.png)",
    "—— 伪署名",
    "| 伪 | 表格 |",
    "&lt;实体&gt; &amp;",
    "1. 伪列表",
    "<!-- 注释",
]
# Whitespace and Unicode.
TEXT = [
    "  前后有空格  ",
    "制表\t符",
    "回车\r\n换行",
    "全角\u3000空格 不换行\u00a0空格",
    "行\u2028分隔",
    "表情😀",
    "扩展B区𠀀字",
    "组合字符e\u0301",
    "反转\u202e文字",
    "零宽\u200b字符",
]
CORPUS = YAML + MARKUP + TEXT


def line(n):
    """A one-line hostile value (for single-line fields), cycling through the corpus."""
    value = CORPUS[n % len(CORPUS)]
    return value.replace("\r\n", " ").replace("\u2028", " ")


def paragraph(n):
    """A multi-line hostile value for text fields and paragraphs."""
    return f"{CORPUS[n % len(CORPUS)]}\n{CORPUS[(n + 7) % len(CORPUS)]}\n\n{CORPUS[(n + 13) % len(CORPUS)]}"
