from pypinyin import Style, lazy_pinyin

from circulation.models import Reader

PINYIN_MAX = Reader._meta.get_field("name_pinyin").max_length


def name_pinyin(name: str) -> str:
    """'张小明' -> 'zhangxiaoming zxm', for searching readers by pinyin or initials.

    Always fits the name_pinyin column: for a very long name the full spelling is cut short, while
    the initials (one letter a character) are kept whole.
    """
    full = "".join(lazy_pinyin(name)).lower()
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()[: PINYIN_MAX // 2]
    return f"{full[: PINYIN_MAX - len(initials) - 1]} {initials}"
