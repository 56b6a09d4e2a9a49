"""The dashboard's web server: Voila with a cap on kernels and nothing it does not need.

``perfkit dashboard`` runs ``python -m perfkit.explorer.server NOTEBOOK
[voila options]``, which is Voila (:class:`voila.app.Voila`) with these changes:

* :class:`CappedKernelManager` — at most ``max_kernels`` kernels at once (each
  page load starts one, ~300 MB); idle kernels are culled by jupyter_server's
  culler (``cull_idle_timeout``, ``cull_interval``, ``cull_connected``), which
  ``perfkit dashboard`` switches on, except while Voila renders their page;
* a page load beyond the cap is answered ``503`` with a short Chinese page
  (当前浏览人数已满) and ``Retry-After``, and starts nothing;
* ``/login`` and ``/logout`` (there is no login) answer ``404`` with a Chinese
  page instead of jupyter_server's logout page, which fails with a ``500`` in
  Voila;
* the page is always perfkit's offline template: ``?template=`` and
  ``?theme=`` in the address are ignored;
* a request whose ``Host`` is not ``localhost`` or a loopback address is
  refused (jupyter_server's check, which Voila turns off), so a web page
  cannot reach the dashboard through DNS rebinding.

Voila's own restrictions stay as they are: the kernels accept widget messages
only (never ``execute_request``), and every other path is redirected to Voila's
file handler, which serves nothing but images next to the notebook.
"""

from __future__ import annotations

import html
from contextvars import ContextVar
from typing import Any

import tornado.web
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from traitlets import Integer
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from perfkit.explorer._limits import DEFAULT_MAX_KERNELS

__all__ = [
    "CappedKernelManager",
    "DashboardVoila",
    "KernelCapReached",
    "busy_page",
    "main",
]

#: Seconds a refused visitor is asked to wait (``Retry-After``).
RETRY_AFTER = 60
#: Kernels started by the page load running in this task (set by DashboardPageHandler).
_PAGE_KERNELS: ContextVar[list[str] | None] = ContextVar("perfkit_page_kernels", default=None)


class KernelCapReached(tornado.web.HTTPError):
    """No kernel started: ``max_kernels`` are running (HTTP 503)."""

    def __init__(self, max_kernels: int) -> None:
        super().__init__(503, "kernel cap reached: %d kernels running", max_kernels)
        self.max_kernels = max_kernels


class CappedKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager with a cap on the kernels running at once.

    A kernel counts from the moment its start is requested until it is shut
    down (by the culler, the page's unload beacon or the server stopping), so
    simultaneous page loads cannot overshoot the cap.  A kernel whose page
    Voila is still rendering is never culled: between two cells, or while it
    starts, jupyter_server's culler would count it idle and, with a short
    timeout on a loaded machine, shut it down under Voila, whose page load then
    never finishes.
    """

    max_kernels = Integer(
        DEFAULT_MAX_KERNELS,
        config=True,
        help="Most kernels running at once; a page load beyond is refused (0: no cap).",
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._reserved: set[str] = set()
        self._rendering: set[str] = set()

    def kernel_count(self) -> int:
        """Kernels running or starting."""
        return len(set(self._kernels) | self._reserved)

    def at_capacity(self) -> bool:
        """True when no further kernel may start."""
        return bool(self.max_kernels) and self.kernel_count() >= self.max_kernels

    def rendered(self, kernel_ids: list[str]) -> None:
        """The pages of ``kernel_ids`` are rendered (or failed): culling applies from now."""
        self._rendering.difference_update(kernel_ids)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """jupyter_server's culling, except for a kernel whose page is being rendered."""
        if kernel_id not in self._rendering:
            await super().cull_kernel_if_idle(kernel_id)

    async def start_kernel(  # type: ignore[override]
        self, *, kernel_id: str | None = None, path: str | None = None, **kwargs: Any
    ) -> str:
        """Start a kernel unless the cap is reached (:class:`KernelCapReached`)."""
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        if self.at_capacity():  # checked and reserved without awaiting: no race between pages
            self.log.warning(
                "Refusing a new kernel: %d of %d running", self.kernel_count(), self.max_kernels
            )
            raise KernelCapReached(self.max_kernels)
        kernel_id = kernel_id or self.new_kernel_id()
        self._reserved.add(kernel_id)
        page = _PAGE_KERNELS.get()
        if page is not None:  # started for a page load: spared by the culler until rendered
            page.append(kernel_id)
            self._rendering.add(kernel_id)
        try:
            return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        finally:
            self._reserved.discard(kernel_id)


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head>"
        "<body style='font-family:sans-serif;max-width:40em;margin:3em auto;line-height:1.6'>"
        f"<h1 style='font-size:1.4em'>{html.escape(title)}</h1>{body}</body></html>\n"
    )


def busy_page(max_kernels: int, idle_timeout: int) -> str:
    """The page a visitor beyond the cap gets (self-contained, Chinese).

    Examples
    --------
    >>> "最多同时打开 4 个页面" in busy_page(4, 600) and "10 分钟" in busy_page(4, 600)
    True
    """
    idle = (
        f"无人操作 {idle_timeout // 60} 分钟的页面会自动关闭，"
        if idle_timeout >= 60
        else (f"无人操作 {idle_timeout} 秒的页面会自动关闭，" if idle_timeout > 0 else "")
    )
    return _page(
        "当前浏览人数已满，请稍后再试",
        f"<p>分析浏览器最多同时打开 {max_kernels} 个页面，现在都在使用中。"
        "请约 1 分钟后刷新本页；关闭不用的浏览器标签页可以腾出名额，"
        f"{idle}腾出的名额即可使用。</p>",
    )


class DashboardPageHandler(TornadoVoilaHandler):
    """Voila's page handler; a page load beyond the kernel cap gets :func:`busy_page` (503)."""

    def _busy(self) -> None:
        km = self.kernel_manager
        self.clear()
        self.set_status(503)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Retry-After", str(RETRY_AFTER))
        self.set_header("Cache-Control", "no-store")
        self.finish(busy_page(km.max_kernels, km.cull_idle_timeout))

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:
        """Render the notebook (its own kernel), or say the dashboard is full."""
        km = self.kernel_manager
        if not path and isinstance(km, CappedKernelManager) and km.at_capacity():
            self._busy()  # before any work: the notebook is not even read
            return
        started: list[str] = []
        token = _PAGE_KERNELS.set(started)
        try:
            async for chunk in self.get_generator(path=path):
                self.write(chunk)
                self.flush()
        except KernelCapReached:
            if self._headers_written:  # pragma: no cover - the kernel starts before any output
                raise
            self._busy()
        finally:
            _PAGE_KERNELS.reset(token)
            if isinstance(km, CappedKernelManager):
                km.rendered(started)


class NoLoginHandler(JupyterHandler):
    """``/login`` and ``/logout``: the dashboard has no login (404, a Chinese page)."""

    def get(self, *_args: Any) -> None:
        """Say so, with a link back to the page."""
        self.set_status(404)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(
            _page(
                "无需登录",
                "<p>分析浏览器只在本机提供，不需要登录，也没有“退出登录”。"
                f"<a href='{html.escape(self.base_url)}'>返回分析浏览器</a></p>",
            )
        )

    def check_xsrf_cookie(self) -> None:
        """Nothing to protect: the handler changes nothing."""

    def write_error(self, status_code: int, **_kwargs: Any) -> None:
        """A refused request (a foreign ``Host``): a short page, no jupyter_server template."""
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(_page(f"请求被拒绝（{status_code}）", "<p>请在本机打开分析浏览器。</p>"))

    def post(self, *args: Any) -> None:
        """The same answer for a form post."""
        self.get(*args)


class DashboardVoila(Voila):
    """Voila with :class:`CappedKernelManager`, :class:`DashboardPageHandler` and no login pages."""

    def initialize(self, argv: list[str] | None = None) -> None:
        """Voila's initialisation, then the dashboard's settings (not configurable away)."""
        super().initialize(argv)
        conf = self.voila_configuration
        conf.multi_kernel_manager_class = CappedKernelManager
        # the page is perfkit's offline template, whatever ?template=/?theme= a visitor asks for
        conf.allow_template_override = "NO"
        conf.allow_theme_override = "NO"

    def init_settings(self) -> dict:
        """Voila's settings, with jupyter_server's check of the ``Host`` header back on.

        Voila switches it off (``allow_remote_access``); on, a request naming any host
        but ``localhost`` or a loopback address is refused (403): a web page elsewhere
        cannot reach the dashboard through a DNS name rebound to 127.0.0.1.
        """
        settings = super().init_settings()
        settings["allow_remote_access"] = False
        settings["local_hostnames"] = ["localhost"]
        return settings

    def init_handlers(self) -> list:
        """Voila's handlers with the page handler replaced and /login, /logout answered."""
        handlers = []
        for spec in super().init_handlers():
            if len(spec) > 1 and spec[1] is TornadoVoilaHandler:
                spec = (spec[0], DashboardPageHandler, *spec[2:])
            handlers.append(spec)
        # first, so that they win over jupyter_server's identity handlers (its /logout fails)
        gone = [(url_path_join(self.server_url, p), NoLoginHandler) for p in ("/login", "/logout")]
        return [*gone, *handlers]


def main(argv: list[str] | None = None) -> None:
    """``python -m perfkit.explorer.server NOTEBOOK [voila options]``."""
    DashboardVoila.launch_instance(argv)


if __name__ == "__main__":  # pragma: no cover - run by perfkit dashboard
    main()
