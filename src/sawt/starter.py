"""`sawt init`: a commented starter podcast.yaml and the episodes/ folder."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sawt.config import CONFIG_NAME
from sawt.errors import InputError
from sawt.files import owner_tag

_TEMPLATE = """\
# podcast.yaml: the show sawt publishes. Paths are relative to this file.
# Fill in the fields marked "required by Apple", then run `sawt check`.

title: "My audio edition"              # show title (required by Apple)
description: "Articles read aloud."    # show description (required by Apple)
author: ""                             # shown as the artist in podcast apps
owner:                                 # itunes:owner: how directories reach you
  name: ""
  email: ""                            # required to register the show with Apple
language: ar                           # language of the show (ISO 639-1)

# Where episodes/ is served from: every URL in the feed is built on it.
# The default suits `sawt serve` on this machine; set your public URL here.
base_url: "http://localhost:8000/"

# image: cover.jpg                     # cover art: JPEG or PNG, RGB, square,
                                       # 1400-3000 px (required by Apple)
category: News                         # one of Apple's categories
# subcategory: Daily News              # one of that category's subcategories
explicit: false                        # true or false
# copyright: "© {year} Your Name"
# link: "https://example.org/"         # the show's website
type: episodic                         # episodic (newest first) or serial
locked: false                          # podcast:locked: true forbids moving the feed
episodes_dir: episodes                 # where MP3s, records, captions and the feed go

engine: auto                           # auto: Google's voice if reachable, else espeak
                                       # (see `sawt engines`)

pauses:                                # seconds of silence
  title: 1.2                           # after the title and after the source
  sentence: 0.35
  clause: 0.2                          # where a long sentence is cut at a comma
  paragraph: 0.8
  heading: 1.5                         # before and after a section heading
  end: 1.0

audio:
  loudness: -16                        # integrated LUFS target (podcast standard)
  true_peak: -1.0                      # dBTP ceiling
  bitrate: 64                          # kbps, CBR mono
  sample_rate: 44100                   # Hz

espeak:                                # the offline voice
  voice: ar
  rate: 130                            # words per minute (clearer than 150: BENCHMARKS.md)
  pitch: 50                            # 0-99
  word_gap: 50                         # ms more between words (clearer: BENCHMARKS.md)
"""


def starter_text(year: int | None = None) -> str:
    """The starter podcast.yaml (its copyright example names ``year``, default this one)."""
    return _TEMPLATE.replace("{year}", str(year or date.today().year))


STARTER = starter_text()


@dataclass(frozen=True)
class Starter:
    """What ``sawt init`` found and made."""

    config: Path
    episodes: Path
    wrote_config: bool  # False: a podcast.yaml was there already (kept as it is)
    made_episodes: bool  # False: episodes/ was there already


def write_starter(folder: Path) -> Starter:
    """Write ``folder/podcast.yaml`` and ``folder/episodes/``, whichever is missing.

    An existing podcast.yaml is kept as it is: running ``init`` twice is a
    harmless no-op. Only a conflicting file is an error (a folder named
    podcast.yaml, a file named episodes), and then nothing is written.
    """
    config = folder / CONFIG_NAME
    episodes = folder / "episodes"
    if folder.exists() and not folder.is_dir():
        raise InputError("not a folder", path=folder)
    if config.exists() and not config.is_file():
        raise InputError("not a file: the starter podcast.yaml goes here", path=config)
    if episodes.exists() and not episodes.is_dir():
        raise InputError("not a folder: the episodes folder goes here", path=episodes)
    wrote = not config.exists() and _write_config(folder, config)
    made = not episodes.is_dir()
    episodes.mkdir(exist_ok=True)
    return Starter(config, episodes, wrote, made)


def _write_config(folder: Path, config: Path) -> bool:
    """Write the starter config unless one appears meanwhile; whether it was written."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{CONFIG_NAME}.{owner_tag()}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(starter_text())
        os.chmod(tmp, 0o644)
        # A hard link fails if the name exists: unlike a replace, a race with
        # another `sawt init` cannot overwrite a config, and no half file shows.
        os.link(tmp, config)
    except FileExistsError:
        return False  # another `sawt init` was quicker: keep its file
    finally:
        os.unlink(tmp)
    return True
