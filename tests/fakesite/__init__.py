"""A local Arabic news site for `sawt update` tests and benchmarks (127.0.0.1, random port).

It serves an RSS feed and article pages shaped like real news sites (menus,
share buttons, «اقرأ أيضا» blocks, comments, canonical links; one page in
Windows-1256), answers conditional GETs with 304, logs every request, and
lets a test change it between passes or inject faults:

    with FakeSite() as site:
        site.feed_url                 # http://127.0.0.1:PORT/feed.xml
        site.add_article("new-one")   # a new article (in the feed)
        site.edit("markets")          # the text changes
        site.redate("weather")        # only the date changes
        site.set_status("sport", 404) # gone
        site.fail("/news/x", 500, times=2)            # 500s, then success
        site.fail("/news/y", 429, times=1, retry_after=1)
        site.delay("/news/z", 5.0)    # slower than the client's timeout
        site.hold("/news/w")          # blocks until released
        site.extra_items.append(("PDF", site.url("/files/report.pdf")))
        site.requests_since(mark)     # the request log
"""

from __future__ import annotations

import hashlib
import html
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

BIG_BYTES = 50 * 1024 * 1024
ROBOTS = "User-agent: *\nDisallow: /private/\n"

# Title and paragraphs of the site's first articles (short: tests render them).
ARTICLES: dict[str, tuple[str, list[str]]] = {
    "markets": (
        "ارتفاع مؤشرات البورصة في ختام تداولات الأسبوع",
        [
            "أغلقت مؤشرات البورصة على ارتفاع في ختام تداولات الأسبوع، بدعم من أسهم البنوك والاتصالات.",
            "وقال محللون إن إقبال المستثمرين تزايد بعد صدور نتائج مالية أفضل من المتوقع.",
            "وينتظر أن تستمر الحركة الإيجابية خلال الأسابيع المقبلة مع عودة السيولة إلى السوق.",
        ],
    ),
    "weather": (
        "أمطار رعدية مرتقبة في عدد من المناطق نهاية الأسبوع",
        [
            "توقعت مديرية الأرصاد الجوية سقوط أمطار رعدية قوية في عدد من المناطق الشمالية والوسطى.",
            "ودعت المديرية السائقين إلى توخي الحذر على الطرق الجبلية خلال فترة التساقطات.",
            "وستعرف درجات الحرارة انخفاضا ملموسا قبل أن تعود إلى الارتفاع مطلع الأسبوع المقبل.",
        ],
    ),
    "sport": (
        "المنتخب الوطني يفوز في مباراته الودية استعدادا للبطولة القارية",
        [
            "حقق المنتخب الوطني فوزا مستحقا في مباراته الودية التي جرت مساء السبت على الملعب الكبير.",
            "وسجل المهاجم الشاب هدفين في الشوط الثاني بعد تمريرات متقنة من خط الوسط.",
            "وأكد المدرب بعد اللقاء أن الفريق ما زال يحتاج إلى مزيد من الانسجام قبل انطلاق البطولة.",
        ],
    ),
    "health": (
        "حملة وطنية للتلقيح تستهدف الأطفال في المناطق القروية",
        [
            "أطلقت وزارة الصحة حملة وطنية للتلقيح تستهدف الأطفال في المناطق القروية والجبلية.",
            "وتشارك في الحملة فرق طبية متنقلة تزور القرى البعيدة عن المراكز الصحية.",
            "ودعت الوزارة الأسر إلى الاستفادة من الحملة التي تستمر ثلاثة أسابيع.",
        ],
    ),
    "culture": (
        "افتتاح معرض الكتاب بمشاركة دور نشر من عشرين بلدا",
        [
            "افتتح معرض الكتاب أبوابه أمام الزوار بمشاركة دور نشر من عشرين بلدا عربيا وأجنبيا.",
            "ويتضمن برنامج المعرض ندوات فكرية وأمسيات شعرية ولقاءات مع الكتاب الشباب.",
            "ويأمل المنظمون أن يتجاوز عدد الزوار هذا العام نصف مليون زائر.",
        ],
    ),
}
LEGACY_SLUG = "culture"  # served in Windows-1256, declared only in <meta>
TRACKED_SLUG = "health"  # the feed links it with ?utm_source=rss; its canonical is clean


def article_text(n: int) -> tuple[str, list[str]]:
    """A distinct generated article (for benchmarks that need many)."""
    return (
        f"تقرير رقم {n} عن مشاريع التنمية المحلية في المدينة",
        [
            f"كشف تقرير رسمي رقم {n} أن مشاريع التنمية المحلية حققت تقدما ملموسا خلال السنة الجارية.",
            "وأوضح التقرير أن الاستثمارات العمومية تركزت على الطرق والمدارس والمراكز الصحية.",
            f"ودعا معدو التقرير إلى تسريع وتيرة الإنجاز في الأحياء التي تنتظر منذ {n + 2} سنوات.",
        ],
    )


@dataclass
class Article:
    """One page of the site."""

    slug: str
    title: str
    paragraphs: list[str]
    date: datetime
    encoding: str = "utf-8"
    status: int = 200
    in_feed: bool = True
    modified: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def path(self) -> str:
        return f"/news/{self.slug}"


@dataclass(frozen=True)
class Request:
    """One request the site received."""

    method: str
    path: str  # with the query
    if_none_match: str | None
    if_modified_since: str | None
    user_agent: str
    status: int

    @property
    def conditional(self) -> bool:
        return bool(self.if_none_match or self.if_modified_since)


@dataclass
class _Fault:
    status: int
    times: int
    retry_after: float | None = None


def _http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(timezone.utc).replace(microsecond=0), usegmt=True)


class FakeSite:
    """The site; start it with ``with FakeSite() as site``."""

    def __init__(self, articles: int | None = None) -> None:
        now = datetime.now(timezone.utc).replace(microsecond=0)
        self.articles: dict[str, Article] = {}
        if articles is None:
            for i, (slug, (title, paragraphs)) in enumerate(ARTICLES.items()):
                encoding = "cp1256" if slug == LEGACY_SLUG else "utf-8"
                self.articles[slug] = Article(
                    slug, title, list(paragraphs), now - timedelta(hours=i + 1), encoding
                )
        else:
            for n in range(1, articles + 1):
                title, paragraphs = article_text(n)
                self.articles[f"report-{n}"] = Article(
                    f"report-{n}", title, paragraphs, now - timedelta(minutes=n)
                )
        self.extra_items: list[tuple[str, str]] = []  # (title, link) also in the feed
        self.robots_txt = ROBOTS
        self.log: list[Request] = []
        self.mtime = now - timedelta(minutes=1)
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._holds: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.arrived: list[str] = []  # request paths as they come in, before any answer
        self.active = 0  # requests being answered now
        self.max_active = 0  # the most at once
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ life

    def __enter__(self) -> FakeSite:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.site = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        for event in self._holds.values():
            event.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def feed_url(self) -> str:
        return self.url("/feed.xml")

    def article_url(self, slug: str) -> str:
        return self.url(self.articles[slug].path)

    # ------------------------------------------------------------ changes

    def _touch(self) -> None:
        self.mtime = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=1)

    def add_article(
        self, slug: str, title: str | None = None, paragraphs: list[str] | None = None
    ) -> Article:
        with self._lock:
            n = len(self.articles) + 1
            default_title, default_paragraphs = article_text(n)
            article = Article(
                slug,
                title or default_title,
                paragraphs or default_paragraphs,
                datetime.now(timezone.utc).replace(microsecond=0),
            )
            self.articles[slug] = article
            self._touch()
            return article

    def edit(self, slug: str, paragraph: str = "وأضاف المصدر أن تفاصيل جديدة ستعلن لاحقا.") -> None:
        with self._lock:
            article = self.articles[slug]
            article.paragraphs.append(paragraph)
            article.modified = datetime.now(timezone.utc).replace(microsecond=0)
            self._touch()

    def redate(self, slug: str, hours: float = 0.5) -> None:
        """Only the date moves (feed pubDate and the page's date line); the text stays."""
        with self._lock:
            article = self.articles[slug]
            article.date = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(
                hours=hours
            )
            article.modified = datetime.now(timezone.utc).replace(microsecond=0)
            self._touch()

    def set_status(self, slug: str, status: int) -> None:
        with self._lock:
            self.articles[slug].status = status

    def fail(
        self, path: str, status: int, times: int = 1, retry_after: float | None = None
    ) -> None:
        """Answer ``path`` with ``status`` (and Retry-After) ``times`` times, then normally."""
        with self._lock:
            self._faults.setdefault(path, []).append(_Fault(status, times, retry_after))

    def delay(self, path: str, seconds: float) -> None:
        with self._lock:
            self._delays[path] = seconds

    def hold(self, path: str) -> threading.Event:
        """Requests for ``path`` wait until the returned event is set."""
        with self._lock:
            event = self._holds[path] = threading.Event()
        return event

    # ------------------------------------------------------------ log

    def mark(self) -> int:
        with self._lock:
            return len(self.log)

    def requests_since(self, mark: int = 0) -> list[Request]:
        with self._lock:
            return list(self.log[mark:])

    def _record(self, request: Request) -> None:
        with self._lock:
            self.log.append(request)

    # ------------------------------------------------------------ content

    def feed_body(self) -> bytes:
        with self._lock:
            items = []
            for a in sorted(self.articles.values(), key=lambda a: a.date, reverse=True):
                if not a.in_feed:
                    continue
                link = self.url(a.path) + ("?utm_source=rss" if a.slug == TRACKED_SLUG else "")
                items.append(
                    f"<item><title>{html.escape(a.title)}</title><link>{html.escape(link)}</link>"
                    f'<guid isPermaLink="false">site-{a.slug}</guid>'
                    f"<pubDate>{_http_date(a.date)}</pubDate>"
                    f"<description>{html.escape(a.paragraphs[0])}</description></item>"
                )
            for title, link in self.extra_items:
                items.append(
                    f"<item><title>{html.escape(title)}</title><link>{html.escape(link)}</link>"
                    f"<pubDate>{_http_date(self.mtime)}</pubDate></item>"
                )
            return (
                '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                f"<title>جريدة الساحل</title><link>{self.base}/</link>"
                "<description>آخر الأخبار</description><language>ar</language>"
                f"<lastBuildDate>{_http_date(self.mtime)}</lastBuildDate>"
                + "".join(items)
                + "</channel></rss>\n"
            ).encode()

    def page_body(self, article: Article) -> bytes:
        canonical = self.url(article.path)
        charset = "windows-1256" if article.encoding == "cp1256" else "utf-8"
        body = "\n".join(f"  <p>{html.escape(p)}</p>" for p in article.paragraphs)
        day = article.date.strftime("%Y-%m-%d %H:%M")
        page = f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="{charset}">
<title>{html.escape(article.title)} | جريدة الساحل</title>
<link rel="canonical" href="{canonical}">
<meta property="og:title" content="{html.escape(article.title)}">
<meta property="article:published_time" content="{article.date.isoformat()}">
<meta name="author" content="هيئة التحرير">
</head>
<body>
<header>
  <nav class="menu"><ul>
    <li><a href="/">الرئيسية</a></li><li><a href="/politique">سياسة</a></li>
    <li><a href="/economie">اقتصاد</a></li><li><a href="/sport">رياضة</a></li>
  </ul></nav>
  <div class="newsletter">اشترك في النشرة البريدية لتصلك آخر الأخبار</div>
</header>
<main>
<article>
  <h1>{html.escape(article.title)}</h1>
  <div class="byline">هيئة التحرير — <time datetime="{article.date.isoformat()}">{day}</time></div>
  <div class="share"><a href="#">شارك</a> <a href="#">فيسبوك</a> <a href="#">تويتر</a> <a href="#">واتساب</a></div>
{body}
  <div class="related"><h3>اقرأ أيضا</h3><ul>
    <li><a href="/news/a1">اقرأ أيضا: ارتفاع أسعار الخضر في الأسواق</a></li>
    <li><a href="/news/a2">اقرأ أيضا: تساقطات مطرية مرتقبة نهاية الأسبوع</a></li>
  </ul></div>
</article>
<section class="comments" id="comments">
  <h3>التعليقات</h3>
  <div class="comment"><p>مقال مفيد، شكرا على المتابعة المستمرة للأخبار.</p></div>
  <form><textarea>أضف تعليقا</textarea></form>
</section>
</main>
<footer>جميع الحقوق محفوظة © جريدة الساحل</footer>
</body>
</html>
"""
        return page.encode(article.encoding)


EMPTY_PAGE = (
    "<!DOCTYPE html><html lang='ar'><head><meta charset='utf-8'><title>الرئيسية</title></head>"
    "<body><nav><a href='/'>الرئيسية</a> <a href='/sport'>رياضة</a></nav></body></html>"
).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: clients hanging up (size caps, timeouts) are part of the tests."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the site keeps its own log."""

    @property
    def site(self) -> FakeSite:
        site: FakeSite = self.server.site
        return site

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.site._record(
            Request(
                "GET",
                self.path,
                self.headers.get("If-None-Match"),
                self.headers.get("If-Modified-Since"),
                self.headers.get("User-Agent", ""),
                status,
            )
        )
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _conditional(self, body: bytes, content_type: str, modified: datetime) -> None:
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        last_modified = _http_date(modified)
        validators = {"ETag": etag, "Last-Modified": last_modified}
        match = self.headers.get("If-None-Match")
        since = self.headers.get("If-Modified-Since")
        fresh = False
        if match is not None:
            fresh = etag in [m.strip() for m in match.split(",")]
        elif since:
            try:
                fresh = parsedate_to_datetime(since) >= modified.replace(microsecond=0)
            except (TypeError, ValueError):
                fresh = False
        if fresh:
            self._send(304, b"", None, validators)
        else:
            self._send(200, body, content_type, validators)

    def do_GET(self) -> None:
        site = self.site
        with site._lock:
            site.arrived.append(self.path)
            site.active += 1
            site.max_active = max(site.max_active, site.active)
        try:
            self._get()
        finally:
            with site._lock:
                site.active -= 1

    def _get(self) -> None:
        site = self.site
        path = self.path
        route = urlsplit(path).path
        hold = site._holds.get(route)
        if hold is not None:
            hold.wait(60)
        delay = site._delays.get(route)
        if delay:
            time.sleep(delay)
        with site._lock:
            faults = site._faults.get(route) or []
            fault = faults[0] if faults else None
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    faults.pop(0)
        if fault is not None:
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after else {}
            self._send(fault.status, b"<html><body>error</body></html>", headers=headers)
            return
        if route == "/robots.txt":
            self._send(200, site.robots_txt.encode(), "text/plain; charset=utf-8")
        elif route == "/feed.xml":
            self._conditional(site.feed_body(), "application/rss+xml; charset=utf-8", site.mtime)
        elif route.startswith(("/news/", "/private/")):
            slug = route.rsplit("/", 1)[-1]
            article = site.articles.get(slug)
            if article is None or article.status != 200:
                status = article.status if article is not None else 404
                self._send(status, b"<html><body><h1>Not found</h1></body></html>")
                return
            # The legacy page declares its charset only in <meta>, as old sites do.
            ctype = "text/html" if article.encoding != "utf-8" else "text/html; charset=utf-8"
            self._conditional(site.page_body(article), ctype, article.modified)
        elif route == "/files/report.pdf":
            self._send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "application/pdf")
        elif route == "/loop/a":
            self._send(302, headers={"Location": "/loop/b"})
        elif route == "/loop/b":
            self._send(302, headers={"Location": "/loop/a"})
        elif route.startswith("/moved/"):
            self._send(301, headers={"Location": "/news/" + route.rsplit("/", 1)[-1]})
        elif route == "/empty":
            self._send(200, EMPTY_PAGE)
        elif route in ("/big", "/big-declared"):
            self._big(declared=route == "/big-declared")
        else:
            self._send(404, b"<html><body><h1>Not found</h1></body></html>")

    def _big(self, declared: bool) -> None:
        """50 MB of page: with a Content-Length, or chunked without one."""
        site = self.site
        site._record(Request("GET", self.path, None, None, self.headers.get("User-Agent", ""), 200))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if declared:
            self.send_header("Content-Length", str(BIG_BYTES))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = ("<p>" + "نص طويل جدا " * 300 + "</p>\n").encode()
        sent = 0
        try:
            while sent < BIG_BYTES:
                piece = chunk[: BIG_BYTES - sent]
                if declared:
                    self.wfile.write(piece)
                else:
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                sent += len(piece)
            if not declared:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up at its size cap, as it should
        self.close_connection = True
