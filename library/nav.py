"""Menu slots: an app adds its menu items to another app's menu without that app naming it.

The catalogue's 编目 menu shows the stocktake and serials items, and the desk's 借阅管理 menu the
stocktake item for assistants, yet catalog and circulation never name those apps (their templates
would otherwise depend on them). Each app registers its menu fragment in AppConfig.ready();
the owning menu includes whatever its slot holds, in registration order.
"""

CATALOG_MENU = "catalog"  # the 编目 dropdown (librarians)
DESK_MENU = "desk"  # the 借阅管理 dropdown, desk section (assistants without the catalogue permission)

_slots: dict[str, list[str]] = {}


def add_to_menu(slot: str, template_name: str) -> None:
    """Show `template_name` (a fragment of <li> items) inside the menu `slot`."""
    items = _slots.setdefault(slot, [])
    if template_name not in items:
        items.append(template_name)


def menu_items(slot: str) -> tuple[str, ...]:
    return tuple(_slots.get(slot, ()))
