"""Serve the JupyterLab 4 build of scripts/lab/build.js with Debian's jupyter-server and
jupyterlab-server: `python3 -m dl_by_hand_lab` (with this folder on PYTHONPATH and
DL_BY_HAND_LAB set to the build folder), or as the server extension of a JupyterHub
single-user server (`--ServerApp.jpserver_extensions={'dl_by_hand_lab': True}`)."""

import json
import os

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.base.zmqhandlers import WebSocketMixin
from jupyterlab_server import LabServerApp
from tornado import web, websocket
from traitlets import default


def _build_dir():
    build = os.environ.get("DL_BY_HAND_LAB", "")
    if not build or not os.path.isfile(os.path.join(build, "built.json")):
        raise RuntimeError(
            f"dl_by_hand_lab: DL_BY_HAND_LAB must name a folder made by scripts/lab/build.js, got {build!r}"
        )
    return build


class IdentityHandler(APIHandler):
    """/api/me of jupyter-server 2, which Lab 4 asks for: who is logged in (Debian ships 1.23)."""

    @web.authenticated
    def get(self):
        user = self.current_user
        name = user.get("name", "") if isinstance(user, dict) else str(user)
        identity = {
            "username": name,
            "name": name,
            "display_name": name,
            "initials": name[:1].upper(),
            "avatar_url": None,
            "color": None,
        }
        self.finish({"identity": identity, "permissions": {}})


class EventsHandler(WebSocketMixin, websocket.WebSocketHandler, JupyterHandler):
    """/api/events/subscribe of jupyter-server 2: Lab 4 listens there; this server sends nothing."""

    async def get(self, *args, **kwargs):
        if self.current_user is None:
            raise web.HTTPError(403)
        return await super().get(*args, **kwargs)

    def on_message(self, message):
        pass


class CourseLab(LabServerApp):
    """JupyterLab's page, settings, themes and translations handlers over the course's build."""

    name = "dl_by_hand_lab"
    app_name = "JupyterLab"
    extension_url = "/lab"
    default_url = "/lab"
    load_other_extensions = True

    @default("app_version")
    def _app_version(self):
        with open(os.path.join(_build_dir(), "built.json"), encoding="utf-8") as built:
            return json.load(built)["jupyterlab"]

    @default("app_settings_dir")
    def _app_settings_dir(self):
        return os.path.join(_build_dir(), "settings")

    @default("static_dir")
    def _static_dir(self):
        return os.path.join(_build_dir(), "static")

    @default("templates_dir")
    def _templates_dir(self):
        return os.path.join(_build_dir(), "templates")

    @default("schemas_dir")
    def _schemas_dir(self):
        return os.path.join(_build_dir(), "schemas")

    @default("themes_dir")
    def _themes_dir(self):
        return os.path.join(_build_dir(), "themes")

    def initialize_handlers(self):
        super().initialize_handlers()
        self.handlers.append(("/api/me", IdentityHandler))
        self.handlers.append(("/api/events/subscribe", EventsHandler))

    @default("user_settings_dir")
    def _user_settings_dir(self):
        return os.path.join(os.path.expanduser("~"), ".jupyter", "lab", "user-settings")

    @default("workspaces_dir")
    def _workspaces_dir(self):
        return os.path.join(os.path.expanduser("~"), ".jupyter", "lab", "workspaces")


def _jupyter_server_extension_points():
    return [{"module": "dl_by_hand_lab", "app": CourseLab}]


if __name__ == "__main__":
    # Launch the class as imported under its module name, the name jupyter-server registers.
    from dl_by_hand_lab import CourseLab as App

    App.launch_instance()
