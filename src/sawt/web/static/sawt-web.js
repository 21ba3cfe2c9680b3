/* sawt web edition: the player's controls, chapter and sentence seeking, and the
   follow-along highlight. Without it the page still has its text, the native
   audio player and chapter links that open the audio at their time (#t=). */
(function () {
  "use strict";
  var audio = document.getElementById("audio");
  if (!audio) { return; }
  document.documentElement.classList.add("js");
  var RATES = [0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3];
  var KEY_RATE = "sawt.speed", KEY_FOLLOW = "sawt.follow", KEY_SCROLL = "sawt.autoscroll";

  function load(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
  function save(key, value) { try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ } }
  function $(id) { return document.getElementById(id); }
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  function startOf(el) { return Number(el.getAttribute("data-t")) / 1000; }
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

  all("[data-js]").forEach(function (el) { el.hidden = false; });

  var chapterLinks = all("#chapters a[data-t]");
  var chapterStarts = chapterLinks.map(startOf);
  var sentences = all("#transcript .s[data-t]");
  var sentenceStarts = sentences.map(startOf);
  var play = $("play"), speed = $("speed"), follow = $("follow"), autoscroll = $("autoscroll");

  // The last index whose start is at or before t (-1 if none).
  function indexAt(starts, t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.001) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function playNow() {
    var p = audio.play();
    if (p && p.catch) { p.catch(function () { /* the browser refused: the user presses play */ }); }
  }

  function seek(t, andPlay) {
    var end = isFinite(audio.duration) ? audio.duration : Infinity;
    audio.currentTime = Math.max(0, Math.min(t, end));
    mark();
    if (andPlay) { playNow(); }
  }

  function chapterStep(direction) {
    var t = audio.currentTime, i = indexAt(chapterStarts, t);
    if (direction < 0) {
      // Within the first 3 s of a chapter, "previous" goes to the one before.
      if (i > 0 && t - chapterStarts[i] < 3) { i -= 1; }
      seek(i < 0 ? 0 : chapterStarts[i], false);
    } else if (i + 1 < chapterStarts.length) {
      seek(chapterStarts[i + 1], false);
    }
  }

  function setRate(rate) {
    if (RATES.indexOf(rate) < 0) { rate = 1; }
    audio.defaultPlaybackRate = rate;
    audio.playbackRate = rate;
    if (speed) { speed.value = String(rate); }
    save(KEY_RATE, String(rate));
  }

  function stepRate(direction) {
    var i = RATES.indexOf(audio.playbackRate);
    if (i < 0) { i = RATES.indexOf(1); }
    setRate(RATES[Math.max(0, Math.min(RATES.length - 1, i + direction))]);
  }

  var actions = {
    toggle: function () { if (audio.paused) { playNow(); } else { audio.pause(); } },
    back: function () { seek(audio.currentTime - 10, false); },
    forward: function () { seek(audio.currentTime + 30, false); },
    prev: function () { chapterStep(-1); },
    next: function () { chapterStep(1); }
  };

  all("#controls [data-action]").forEach(function (button) {
    button.addEventListener("click", function () { actions[button.getAttribute("data-action")](); });
  });

  function showPlaying() {
    if (play) { play.textContent = audio.paused ? "تشغيل" : "إيقاف مؤقت"; }
  }
  audio.addEventListener("play", showPlaying);
  audio.addEventListener("pause", showPlaying);
  audio.addEventListener("ended", showPlaying);

  if (speed) {
    speed.addEventListener("change", function () { setRate(Number(speed.value)); });
    audio.addEventListener("ratechange", function () {
      if (RATES.indexOf(audio.playbackRate) >= 0) { speed.value = String(audio.playbackRate); }
    });
  }
  var storedRate = Number(load(KEY_RATE));
  setRate(RATES.indexOf(storedRate) >= 0 ? storedRate : 1);

  // Shortcuts act only while focus is on the player's own controls, so they never
  // take keys a screen reader (or the page's other fields) needs. The physical key
  // counts (event.code), so they work with an Arabic keyboard layout too.
  var controls = $("controls");
  if (controls) {
    controls.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) { return; }
      var code = event.code, act = null;
      // "<" and ">" are Shift+Comma and Shift+Period on many layouts, elsewhere keys of their own.
      if (event.key === ">" || (event.shiftKey && code === "Period")) {
        stepRate(1); event.preventDefault(); return;
      }
      if (event.key === "<" || (event.shiftKey && code === "Comma")) {
        stepRate(-1); event.preventDefault(); return;
      }
      if (!event.shiftKey) {
        act = { KeyK: "toggle", KeyJ: "back", KeyL: "forward", KeyP: "prev", KeyN: "next" }[code] || null;
      }
      if (act) { actions[act](); event.preventDefault(); }
    });
  }

  // Chapter links: seek the player here instead of opening the audio file.
  chapterLinks.forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button > 0) { return; }
      event.preventDefault();
      seek(startOf(link), true);
    });
  });

  // A click on a sentence plays from it (a link inside the sentence still works).
  var transcript = $("transcript");
  if (transcript) {
    transcript.addEventListener("click", function (event) {
      var target = event.target;
      if (!(target instanceof Element) || target.closest("a")) { return; }
      var sentence = target.closest(".s[data-t]");
      if (sentence && !(window.getSelection && String(window.getSelection()))) {
        seek(startOf(sentence), true);
      }
    });
  }

  // Follow-along: aria-current on the sentence (and chapter) being spoken. No
  // live region: a screen reader is not interrupted. Scrolls only if asked to.
  var current = null, currentChapter = null;
  function setCurrent(el, old) {
    if (old === el) { return el; }
    if (old) { old.removeAttribute("aria-current"); }
    if (el) { el.setAttribute("aria-current", "true"); }
    return el;
  }
  function mark() {
    var t = audio.currentTime;
    var ci = indexAt(chapterStarts, t);
    currentChapter = setCurrent(ci >= 0 ? chapterLinks[ci] : null, currentChapter);
    if (!follow || !follow.checked) { current = setCurrent(null, current); return; }
    var si = indexAt(sentenceStarts, t);
    var el = si >= 0 ? sentences[si] : null;
    if (el !== current) {
      current = setCurrent(el, current);
      if (el && autoscroll && autoscroll.checked) {
        var smooth = !(reduceMotion && reduceMotion.matches);
        el.scrollIntoView({ block: "center", behavior: smooth ? "smooth" : "auto" });
      }
    }
  }
  audio.addEventListener("timeupdate", mark);
  audio.addEventListener("seeked", mark);

  function restoreBox(box, key, fallback) {
    if (!box) { return; }
    var stored = load(key);
    box.checked = stored === null ? fallback : stored === "1";
    box.addEventListener("change", function () { save(key, box.checked ? "1" : "0"); mark(); });
  }
  restoreBox(follow, KEY_FOLLOW, true);
  restoreBox(autoscroll, KEY_SCROLL, false);

  // page.html#t=90 opens the episode at 1:30.
  var m = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
  if (m) { audio.currentTime = Number(m[1]); }
}());
