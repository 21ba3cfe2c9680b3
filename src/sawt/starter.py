"""`sawt init`: a commented starter podcast.yaml and the episodes/ folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sawt.config import CONFIG_NAME
from sawt.errors import InputError
from sawt.files import owner_tag

STARTER = """\
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
# copyright: "© 2025 Your Name"
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
  rate: 150                            # words per minute
  pitch: 50                            # 0-99
"""


def write_starter(folder: Path) -> tuple[Path, Path]:
    """Write ``folder/podcast.yaml`` and ``folder/episodes/``; never overwrite a config."""
    config = folder / CONFIG_NAME
    if config.exists():
        raise InputError(f"{config} already exists; not overwriting it")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{CONFIG_NAME}.{owner_tag()}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(STARTER)
        os.chmod(tmp, 0o644)
        # A hard link fails if the name exists: unlike a replace, a race with
        # another `sawt init` cannot overwrite a config, and no half file shows.
        os.link(tmp, config)
    except FileExistsError as exc:
        raise InputError(f"{config} already exists; not overwriting it") from exc
    finally:
        os.unlink(tmp)
    episodes = folder / "episodes"
    episodes.mkdir(exist_ok=True)
    return config, episodes
