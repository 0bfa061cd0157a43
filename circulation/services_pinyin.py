from pypinyin import Style, lazy_pinyin


def name_pinyin(name: str) -> str:
    """'张小明' -> 'zhangxiaoming zxm', for searching readers by pinyin or initials."""
    full = "".join(lazy_pinyin(name))
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
    return f"{full} {initials}".lower()
