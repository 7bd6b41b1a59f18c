"""One name per channel, from the registry: the link channel's old names are gone everywhere."""

from __future__ import annotations

import pathlib
import re

from sharetrack.channels import CHANNEL

ROOT = pathlib.Path(__file__).parent.parent
OLD_NAMES = ("I'll copy a link", "Copied link", "Link to paste anywhere", "as a link")


def test_the_link_channel_has_one_name():
    link = CHANNEL["link"]
    assert link.name == link.title == "Link"
    assert link.action == "I'll share by link" and link.place == "by link"


def test_no_page_or_module_uses_another_name():
    for path in [
        *ROOT.joinpath("sharetrack").rglob("*.py"),
        *ROOT.joinpath("templates").rglob("*.html"),
    ]:
        text = path.read_text()
        said = [name for name in OLD_NAMES if re.search(rf"(?<!\w){re.escape(name)}", text)]
        assert not said, path
