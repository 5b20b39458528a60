"""Reading a feed from a URL or a file, with limits and clear messages (a server on loopback, no network)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from meetings.fetching import SourceError, read_source


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/feed.json":
            body = b'[{"name": "A"}]'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_a_feed_is_read_from_a_url(server):
    assert read_source(f"{server}/feed.json") == b'[{"name": "A"}]'


def test_a_missing_feed_says_what_the_server_answered(server):
    with pytest.raises(SourceError, match="answered 404"):
        read_source(f"{server}/gone.json")


def test_a_server_that_does_not_answer_is_a_clear_error():
    with pytest.raises(SourceError, match=r"Could not read http://127\.0\.0\.1:9/"):
        read_source("http://127.0.0.1:9/feed.json", timeout=2)


def test_a_feed_larger_than_the_limit_is_refused(server, tmp_path):
    with pytest.raises(SourceError, match="larger than"):
        read_source(f"{server}/feed.json", max_bytes=5)
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * 10)
    with pytest.raises(SourceError, match="larger than"):
        read_source(str(big), max_bytes=5)
