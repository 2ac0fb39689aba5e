# A JupyterHub for a class, as tests/hub/hub.test.ts starts it on 127.0.0.1: Debian's jupyterhub,
# npm's configurable-http-proxy, the course's JupyterLab build as every student's front end.
# The test's stand-ins for a real hub (see README, "Course admins"): DummyAuthenticator (any
# listed user, one shared password) instead of real accounts, and SimpleLocalProcessSpawner
# (homes under a temporary folder, every server runs as the hub's own Unix user) instead of one
# Unix user per student, which the test cannot create.
import os
import shutil

env = os.environ
COURSE = env["DL_HUB_COURSE"]  # the course, installed once, read-only for students
PREFIX = env["DL_HUB_PREFIX"]  # system-wide Jupyter paths: share/jupyter, etc/jupyter

c = get_config()  # noqa: F821 (defined by JupyterHub when it reads this file)

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(env["DL_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env["DL_HUB_API_PORT"])
c.ConfigurableHTTPProxy.command = [env["DL_HUB_PROXY"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env['DL_HUB_PROXY_API_PORT']}"
c.JupyterHub.db_url = f"sqlite:///{env['DL_HUB_STATE']}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{env['DL_HUB_STATE']}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{env['DL_HUB_STATE']}/jupyterhub.pid"

c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
c.DummyAuthenticator.password = env["DL_HUB_PASSWORD"]
c.Authenticator.allowed_users = set(env["DL_HUB_USERS"].split(","))

c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(env["DL_HUB_HOMES"], "{username}")
c.Spawner.cmd = ["/usr/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
# The test runs as root (CI does); a real hub runs each student's server as that student.
c.Spawner.args = ["--allow-root"] if os.getuid() == 0 else []
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    # Jupyter's system-wide paths: the kernelspec, and the server config that enables the Lab.
    "JUPYTER_PATH": os.path.join(PREFIX, "share", "jupyter"),
    "JUPYTER_CONFIG_PATH": os.path.join(PREFIX, "etc", "jupyter"),
    "PYTHONPATH": os.path.join(PREFIX, "lib", "python"),
    "DL_BY_HAND_LAB": env["DL_BY_HAND_LAB"],
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


def first_login(spawner):
    """A student's own copy of the released notebooks, made once: nothing of theirs is overwritten."""
    home = spawner.home_dir
    mine = os.path.join(home, "notebooks")
    os.makedirs(mine, exist_ok=True)
    released = os.path.join(COURSE, "notebooks")
    for name in sorted(os.listdir(released)):
        target = os.path.join(mine, name)
        if name.endswith(".ipynb") and not os.path.exists(target):
            shutil.copyfile(os.path.join(released, name), target)
    # `import "dl-by-hand"` from the home resolves to the course's packages (read-only).
    modules = os.path.join(home, "node_modules")
    if not os.path.lexists(modules):
        os.symlink(os.path.join(COURSE, "node_modules"), modules)


c.Spawner.pre_spawn_hook = first_login
