"""The site as deployed, on free ports of 127.0.0.1: a database of its own on the shared
PostgreSQL, a redis-server, two gunicorn app servers, nginx balancing them with
deploy/nginx/healthsite.conf and Varnish in front with deploy/varnish/default.vcl. Started
once per test module and stopped (database dropped) afterwards."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.servers import (
    ROOT,
    Gunicorn,
    PostgresDatabase,
    Redis,
    Relay,
    fetch,
    free_port,
    manage,
    production_env,
    shell,
    wait_until,
)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"

BUILD_SITE = """
import json
from tests.public_pages import build_public_site
from django.contrib.auth.models import User
from editorial.models import ReviewRequest
from tests.factories import ArticleFactory, CategoryFactory, role_user
site = build_public_site()
elsewhere = ArticleFactory(title="Sleep and shift work",
                           category=CategoryFactory(name="Sleep", slug="sleep"))
User.objects.create_superuser("admin", "admin@example.org", "a long admin password 42")
reviewer_user = role_user("Medical reviewer")
site.reviewer.user = reviewer_user
site.reviewer.save()
review = ReviewRequest.objects.create(article=site.article, reviewer=site.reviewer)
print(json.dumps({"paths": site.paths(), "article": site.article.pk,
                  "review": review.pk, "reviewer_user": reviewer_user.pk,
                  "second": site.second_article.pk,
                  "untouched_path": elsewhere.get_absolute_url()}))
"""


class Stack:
    def __init__(self, tmp: Path, *, database_relay=False):
        for binary, package in ((NGINX, "nginx"), (VARNISHD, "varnish varnish-modules")):
            if not Path(binary).exists():
                pytest.skip(f"{binary} is missing (apt-get install {package})")
        self.tmp = tmp
        self.database_relay = database_relay
        self.relay = None
        self.processes = []
        self.apps = []
        self.database = PostgresDatabase()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self):
        self.redis = Redis()
        if self.database_relay:
            self.relay = Relay()  # the test can cut the app servers off from PostgreSQL
        self.varnish_port = free_port()
        self.nginx_port = free_port()
        self.env = production_env(
            self.tmp,
            DATABASE_URL=self.database.url(port=self.relay.port if self.relay else 5432),
            CACHE_URL=self.redis.url,
            HEALTHSITE_FRONTENDS=f"varnish://127.0.0.1:{self.varnish_port}",
            DJANGO_NUM_PROXIES="1",
            # The balancer's tests sign in with a password; tests/staff covers the second factor.
            HEALTHSITE_TWO_FACTOR_REQUIRED="0",
        )
        manage(self.env, "migrate", "--no-input", "-v0")
        manage(self.env, "collectstatic", "--no-input", "-v0")
        self.site = json.loads(shell(self.env, BUILD_SITE).splitlines()[-1])
        self.apps = [Gunicorn(self.env, workers=1), Gunicorn(self.env, workers=1)]
        self._start_nginx()
        self._start_varnish()

    def _start_nginx(self):
        site = (ROOT / "deploy" / "nginx" / "healthsite.conf").read_text()
        for old, new in [
            ("127.0.0.1:8001", f"127.0.0.1:{self.apps[0].port}"),
            ("127.0.0.1:8002", f"127.0.0.1:{self.apps[1].port}"),
            ("listen 80;", f"listen 127.0.0.1:{self.nginx_port};"),
            ("/srv/healthsite/staticfiles/", f"{self.env['STATIC_ROOT']}/"),
            ("/srv/healthsite/media/", f"{self.env['MEDIA_ROOT']}/"),
            # Which app server answered, for the tests only.
            ("location / {", "location / {\n        add_header X-Upstream $upstream_addr always;"),
        ]:
            assert old in site, old
            site = site.replace(old, new)
        (self.tmp / "healthsite.conf").write_text(site)
        temp = self.tmp / "nginx-temp"
        temp.mkdir()
        conf = self.tmp / "nginx.conf"
        conf.write_text(
            f"""
user root;
daemon off;
worker_processes 1;
pid {self.tmp}/nginx.pid;
error_log {self.tmp}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.tmp}/healthsite.conf;
}}
"""
        )
        self._spawn([NGINX, "-c", str(conf), "-p", str(self.tmp)])
        self.nginx_url = f"http://127.0.0.1:{self.nginx_port}"
        wait_until(lambda: fetch(f"{self.nginx_url}/healthz")[0] == 200, what="nginx")

    def _start_varnish(self):
        vcl = (ROOT / "deploy" / "varnish" / "default.vcl").read_text()
        assert '.port = "8080";' in vcl
        vcl = vcl.replace('.port = "8080";', f'.port = "{self.nginx_port}";')
        # varnishd reads the VCL as its own unprivileged user: a folder it may enter.
        self.varnish_dir = Path(tempfile.mkdtemp(prefix="healthsite-varnish-"))
        self.varnish_dir.chmod(0o755)
        (self.varnish_dir / "default.vcl").write_text(vcl)
        (self.varnish_dir / "default.vcl").chmod(0o644)
        self._spawn(
            [
                VARNISHD,
                "-F",
                "-a",
                f"127.0.0.1:{self.varnish_port}",
                "-f",
                str(self.varnish_dir / "default.vcl"),
                "-n",
                str(self.varnish_dir / "n"),
                "-s",
                "malloc,64m",
                "-T",
                "none",
            ]  # fmt: skip
        )
        self.varnish_url = f"http://127.0.0.1:{self.varnish_port}"
        wait_until(lambda: fetch(f"{self.varnish_url}/healthz")[0] == 200, what="varnishd")

    def _spawn(self, command):
        log = open(self.tmp / f"{Path(command[0]).name}.log", "w")  # noqa: SIM115
        self.processes.append(
            subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.tmp)
        )

    def stop(self):
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for app in self.apps:
            app.stop()
        if getattr(self, "redis", None):
            self.redis.stop()
        if self.relay:
            self.relay.cut()
        self.database.drop()
        if getattr(self, "varnish_dir", None):
            shutil.rmtree(self.varnish_dir, ignore_errors=True)
