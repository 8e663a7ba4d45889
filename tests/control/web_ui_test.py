#!/usr/bin/python3
"""The web UI in a real browser (Debian's chromium, headless, driven over the DevTools protocol on
a pipe): sign in through the form, see the profile with ratio and announce URL, upload a .torrent
through the upload form, see its page, find it through the search form, sign out.

Needs SWARMLINE_TEST_DATABASE_URL (a PostgreSQL superuser URL) and chromium; exits 77 (skipped)
without them. Usage: web_ui_test.py SWARMLINE_CONTROL_BIN
"""
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

SKIP = 77


def log(msg):
    print(msg, flush=True)


class Browser:
    """chromium --remote-debugging-pipe: JSON messages, NUL-terminated, on fds 3 (in) and 4 (out)."""

    def __init__(self, binary, profile_dir):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # The child sees the pipes as fds 3 and 4, which --remote-debugging-pipe reads and writes.
        # Both are first moved above 10 so that neither dup2 overwrites the other's source, and
        # close_fds is off because it would close 3 and 4 after this runs.
        def child_fds():
            r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)
        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-pipe", "--user-data-dir=" + profile_dir, "about:blank"],
            close_fds=False, preexec_fn=child_fds,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.next_id = 0
        self.buffer = b""
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(msg).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_browser, 65536)
                if not chunk:
                    raise RuntimeError("the browser closed the DevTools pipe")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def open(self, url):
        target = self.send("Target.createTarget", {"url": url}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]

    def eval(self, expression):
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def set_file(self, selector, path):
        """Chooses `path` in the file input `selector`, as a user picking the file would."""
        root = self.send("DOM.getDocument")["root"]["nodeId"]
        node = self.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        self.send("DOM.setFileInputFiles", {"nodeId": node, "files": [path]})

    def wait_for(self, expression, what, limit_s=60):
        """Polls the page until `expression` is true: the page's own state is the readiness signal."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            if self.eval(expression):
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; page: {self.eval('document.body.innerText')!r}")

    def close(self):
        self.proc.kill()
        self.proc.wait()


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    control = sys.argv[1]
    admin = os.environ.get("SWARMLINE_TEST_DATABASE_URL")
    if not admin:
        log("SKIP: SWARMLINE_TEST_DATABASE_URL is unset")
        return SKIP
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        log("SKIP: chromium is not installed (apt-get install chromium)")
        return SKIP

    db = f"swarmline_ui_test_{os.getpid()}"
    parts = urllib.parse.urlsplit(admin)
    url = urllib.parse.urlunsplit(parts._replace(path="/" + db))
    work = tempfile.mkdtemp()
    serve = browser = None
    try:
        subprocess.run(["psql", "-q", admin, "-c", f"CREATE DATABASE {db}"], check=True)
        subprocess.run([control, "migrate", "run", "--database-url", url], check=True, stdout=subprocess.DEVNULL)
        added = subprocess.run([control, "user", "add", "--database-url", url, "--username", "uiuser",
                                "--email", "ui@example.test", "--password", "ui-password-1", "--group", "Uploader",
                                "--json"],
                               check=True, capture_output=True, text=True)
        passkey = json.loads(added.stdout)["passkey"]
        for name, group in (("uipower", "Power User"), ("uimod", "Moderator")):
            subprocess.run([control, "user", "add", "--database-url", url, "--username", name, "--email",
                            name + "@example.test", "--password", "ui-password-1", "--group", group],
                           check=True, stdout=subprocess.DEVNULL)

        log_path = os.path.join(work, "serve.log")
        with open(log_path, "w") as log_file:
            serve = subprocess.Popen([control, "serve", "--database-url", url, "--listen", "127.0.0.1:0",
                                      "--sync=false", "--announce-url", "http://tracker.test:6969"],
                                     stderr=log_file)
        port = None
        deadline = time.monotonic() + 60
        while port is None and time.monotonic() < deadline:
            m = re.search(r"swarmline-control serving.*listen=127\.0\.0\.1:(\d+)", open(log_path).read())
            if m:
                port = int(m.group(1))
            elif serve.poll() is not None:
                raise AssertionError("serve exited: " + open(log_path).read())
            else:
                time.sleep(0.1)
        assert port, "serve did not report its port"

        browser = Browser(chromium, os.path.join(work, "profile"))
        browser.open(f"http://127.0.0.1:{port}/")
        browser.wait_for("document.getElementById('login-view') && !document.getElementById('login-view').hidden",
                         "the sign-in form")

        # A wrong password shows the API's message and stays on the form.
        browser.eval("""(() => {
            const f = document.getElementById('login-form');
            f.username.value = 'uiuser'; f.password.value = 'wrong-password'; f.requestSubmit(); })()""")
        browser.wait_for("document.getElementById('message').textContent.includes('wrong username or password')",
                         "the error message")

        browser.eval("""(() => {
            const f = document.getElementById('login-form');
            f.password.value = 'ui-password-1'; f.requestSubmit(); })()""")
        browser.wait_for("!document.getElementById('profile-view').hidden", "the profile")
        announce = browser.eval("document.getElementById('announce-url').textContent")
        assert announce == f"http://tracker.test:6969/{passkey}/announce", announce
        assert browser.eval("document.getElementById('profile-name').textContent") == "uiuser"
        assert browser.eval("document.getElementById('stat-ratio').textContent") == "∞"
        assert browser.eval("document.getElementById('stat-up').textContent") == "0 B"
        cookie_visible = browser.eval("document.cookie.includes('swarmline_session')")
        assert not cookie_visible, "the session cookie is HttpOnly"

        # Upload through the form: the torrent's page shows it, then the search finds it.
        sample = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "proto", "data", "lt_v1_single.torrent")
        browser.eval("location.hash = 'upload'")
        browser.wait_for("!document.getElementById('upload-view').hidden && "
                         "document.querySelector('#upload-form select[name=category]').options.length > 0",
                         "the upload form with its categories")
        browser.set_file("#upload-form input[name=torrent]", os.path.abspath(sample))
        browser.eval("""(() => {
            const f = document.getElementById('upload-form');
            f.name.value = 'Browser Upload Sample'; f.tags.value = 'browser,sample';
            f.nfo.value = 'NFO made in a browser'; f.resolution.value = '1080p'; f.source.value = 'BluRay';
            f.video_codec.value = 'x264'; f.release_group.value = 'SWL'; f.requestSubmit(); })()""")
        browser.wait_for("!document.getElementById('torrent-view').hidden && "
                         "document.getElementById('t-name').textContent === 'Browser Upload Sample'",
                         "the uploaded torrent's page")
        assert browser.eval("document.getElementById('t-nfo').textContent") == "NFO made in a browser"
        assert browser.eval("document.getElementById('t-tags').textContent") == "browser, sample"
        assert browser.eval("document.getElementById('t-media').textContent") == "1080p · BluRay · x264"
        assert browser.eval("document.getElementById('t-release-group').textContent") == "SWL"
        assert browser.eval("document.querySelector('#t-files tbody').rows.length") == 1
        download = browser.eval("document.getElementById('t-download').href")
        status = browser.eval(f"fetch({json.dumps(download)}).then(r => r.status)")
        assert status == 200, f"the download link answered {status}"

        browser.eval("location.hash = 'torrents'")
        browser.wait_for("!document.getElementById('torrents-view').hidden && "
                         "document.getElementById('page-info').textContent !== ''", "the torrent list")
        browser.eval("""(() => {
            const f = document.getElementById('search-form');
            f.q.value = 'browser upload'; f.requestSubmit(); })()""")
        browser.wait_for("document.querySelector('#results tbody').rows.length === 1 && "
                         "document.querySelector('#results tbody').textContent.includes('Browser Upload Sample')",
                         "the search result")
        browser.eval("""(() => {
            const f = document.getElementById('search-form');
            f.q.value = 'nothing like this'; f.requestSubmit(); })()""")
        browser.wait_for("document.querySelector('#results tbody').rows.length === 0", "an empty search")
        browser.eval("location.hash = ''")
        browser.wait_for("!document.getElementById('profile-view').hidden", "the profile again")

        browser.eval("document.getElementById('logout').click()")
        browser.wait_for("!document.getElementById('login-view').hidden", "the sign-in form after signing out")
        status = browser.eval("fetch('/api/v1/me').then(r => r.status)")
        assert status == 401, f"/api/v1/me after sign-out answered {status}"

        def sign_in(name):
            browser.eval(f"""(() => {{
                const f = document.getElementById('login-form');
                f.username.value = '{name}'; f.password.value = 'ui-password-1'; f.requestSubmit(); }})()""")
            browser.wait_for("!document.getElementById('profile-view').hidden", f"{name}'s profile")

        def sign_out():
            browser.eval("document.getElementById('logout').click()")
            browser.wait_for("!document.getElementById('login-view').hidden", "the sign-in form")

        # A Power User's upload waits in the queue; a moderator approves it there; then it is found.
        sign_in("uipower")
        assert browser.eval("document.getElementById('nav-queue').hidden"), "members see no moderation queue"
        browser.eval("location.hash = 'upload'")
        browser.wait_for("document.querySelector('#upload-form select[name=category]').options.length > 0",
                         "the upload form")
        v2_sample = os.path.join(os.path.dirname(sample), "lt_v2_single.torrent")
        browser.set_file("#upload-form input[name=torrent]", os.path.abspath(v2_sample))
        browser.eval("""(() => {
            const f = document.getElementById('upload-form');
            f.name.value = 'Queued Upload'; f.requestSubmit(); })()""")
        browser.wait_for("document.getElementById('message').textContent.includes('waits for a moderator') && "
                         "!document.getElementById('torrent-view').hidden && "
                         "document.getElementById('t-name').textContent === 'Queued Upload'",
                         "the pending message on the upload's page")
        assert browser.eval("document.getElementById('t-status').textContent") == "(pending)"
        assert browser.eval("document.getElementById('t-flags').textContent") == "v2", "a v2-only torrent"
        sign_out()
        sign_in("uimod")
        browser.eval("location.hash = 'queue'")
        browser.wait_for("!document.getElementById('queue-view').hidden && "
                         "document.querySelector('#queue tbody').textContent.includes('Queued Upload')",
                         "the upload in the moderation queue")
        browser.eval("""[...document.querySelectorAll('#queue tbody tr')]
            .find(r => r.textContent.includes('Queued Upload')).querySelector('button').click()""")
        browser.wait_for("document.getElementById('message').textContent.includes('Queued Upload: approved')",
                         "the approval")
        browser.wait_for("!document.querySelector('#queue tbody').textContent.includes('Queued Upload')",
                         "the queue without it")
        browser.eval("location.hash = 'torrents'")
        browser.wait_for("!document.getElementById('torrents-view').hidden", "the torrent list")
        browser.eval("""(() => {
            const f = document.getElementById('search-form');
            f.q.value = 'queued'; f.requestSubmit(); })()""")
        browser.wait_for("document.querySelector('#results tbody').textContent.includes('Queued Upload')",
                         "the approved upload in the search")
        sign_out()
        log("PASS: sign-in error, sign-in, profile with announce URL and ratio, upload, torrent page, search, "
            "sign-out, moderation queue approval")
        return 0
    finally:
        if browser:
            browser.close()
        if serve:
            serve.terminate()
            serve.wait()
        subprocess.run(["psql", "-q", admin, "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
